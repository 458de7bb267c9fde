// Forget a post; the feed will get `not_found` for it from then on.
MATCH (p:Post {org: $org, id: $postId})
DETACH DELETE p
RETURN count(*) AS deleted
