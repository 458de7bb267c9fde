// Whether there is nothing to claim for this token: the user already has this email
// on record, or the email belongs to another user id (left to that member).
OPTIONAL MATCH (p:Person {org: $org, id: $sub})
OPTIONAL MATCH (e:Person {org: $org, email: $email})
RETURN (p IS NOT NULL AND p.email = $email)
    OR (e IS NOT NULL AND e.id IS NOT NULL AND e.id <> $sub) AS claimed
