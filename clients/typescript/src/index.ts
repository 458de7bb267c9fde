// graphsvc-client: the graphsvc API for TypeScript, named after the connections SDK.
//
//   import { GraphsvcClient } from "graphsvc-client";
//   const client = new GraphsvcClient({ baseUrl, org: "my-org", token });
//   const { data, pagination } = await client.connections.fetchConnections({ page: 1, limit: 20 });

export * from "./client.js";
export * from "./errors.js";
export type * from "./types.js";
export type { components, operations, paths } from "./schema.js";
