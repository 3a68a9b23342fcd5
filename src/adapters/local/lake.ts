import * as path from "node:path";
import { type LakeStores, ZONES, type Zone } from "../../ports/object-store.js";
import { FsObjectStore } from "./fs-store.js";

/** The embedded lake: one folder per zone under the lake root. */
export function localLakeStores(lakeDir: string): LakeStores {
  const stores = {} as Record<Zone, FsObjectStore>;
  for (const zone of ZONES) stores[zone] = new FsObjectStore(path.join(lakeDir, zone), zone);
  return stores;
}
