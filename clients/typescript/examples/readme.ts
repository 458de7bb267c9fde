// The README's TypeScript example ("Clients"), run by test/readme.test.ts; the README shows
// the import and the lines between the markers, and tests/test_clients_readme.py holds it to them.
import { ConflictError, GraphsvcClient } from "graphsvc-client";

export async function readmeExample(baseUrl: string, org: string, serviceToken: string): Promise<void> {
  // README begin
  const client = new GraphsvcClient({ baseUrl, org, token: serviceToken, userId: "usr_abc123" });
  await client.users.requestConnection({ targetId: "usr_bob", message: "Hi Bob — saw your design talk." })
    .catch((err) => { if (!(err instanceof ConflictError)) throw err; }); // already pending or connected
  const { count } = await client.connections.fetchConnectionsCount();
  console.log("connections:", count);
  for await (const sent of client.paginate(client.connections.fetchSentPendingConnections)) {
    console.log(sent.targetId, sent.status, sent.requestedAt);
  }
  // README end
}
