// Whether there is nothing left to claim for this token: the user already has an
// email on record, or the email belongs to another user id.
OPTIONAL MATCH (p:Person {org: $org, id: $sub})
OPTIONAL MATCH (e:Person {org: $org, email: $email})
RETURN (p IS NOT NULL AND p.email IS NOT NULL)
    OR (e IS NOT NULL AND e.id IS NOT NULL AND e.id <> $sub) AS claimed
