// title: Connection funnel
// description: Connection requests in the org and what became of them: requested,
//   accepted, rejected and still pending; the acceptance rate (accepted ÷ answered,
//   i.e. accepted + rejected) and the median time from request to acceptance, in
//   seconds. Withdrawn requests and removed connections are deleted from the graph,
//   so they are not counted.
// Each request is counted once, at its requester; people are found by index seeks on
// (org, id), and (org, email) for those known only by email.
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL AND p.id IS NULL RETURN p
}
OPTIONAL MATCH (p)-[c:CONNECTED]->(:Person)
WHERE c.org = $org
WITH count(c) AS requested,
     count(CASE WHEN c.status = 'accepted' THEN 1 END) AS accepted,
     count(CASE WHEN c.status = 'rejected' THEN 1 END) AS rejected,
     count(CASE WHEN c.status = 'pending' THEN 1 END) AS pending,
     percentileCont(CASE WHEN c.status = 'accepted' AND c.respondedAt IS NOT NULL
       THEN duration.inSeconds(c.requestedAt, c.respondedAt).milliseconds / 1000.0 END, 0.5) AS median
RETURN requested, accepted, rejected, pending,
       CASE WHEN accepted + rejected = 0 THEN null
         ELSE round(toFloat(accepted) / (accepted + rejected), 4) END AS acceptanceRate,
       median AS medianSecondsToAccept
