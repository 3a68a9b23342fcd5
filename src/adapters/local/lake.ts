import * as path from "node:path";
import { ZONES, type Zone } from "../../ports/object-store.js";
import { FsObjectStore } from "./fs-store.js";

/** The embedded lake: one folder per zone under the lake root. */
export type LocalLakeStores = Readonly<Record<Zone, FsObjectStore>>;

export function localLakeStores(lakeDir: string): LocalLakeStores {
  const stores = {} as Record<Zone, FsObjectStore>;
  for (const zone of ZONES) stores[zone] = new FsObjectStore(path.join(lakeDir, zone), zone);
  return stores;
}
