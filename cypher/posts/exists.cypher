// Whether a post is registered: tells an empty audience from an unknown post.
OPTIONAL MATCH (p:Post {org: $org, id: $postId})
RETURN p IS NOT NULL AS found
