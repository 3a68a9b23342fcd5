/** Where OpenLineage RunEvents go besides the lineage store (AWS: an EventBridge bus). */
export interface OpenLineageSink {
  emit(event: unknown /* RunEvent */): Promise<void>;
}
