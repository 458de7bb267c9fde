-- Write-locks two people in key order before a follow or a request changes their
-- pair, as identity/merge_people does in graphsvc: crossing requests from the two
-- sides run one after the other, and the second sees the first.
SELECT pk, ext_id FROM person WHERE org = %(org)s AND ext_id IN (%(a)s, %(b)s) ORDER BY pk FOR UPDATE
