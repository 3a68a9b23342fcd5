import type { Command } from "commander";
export function registerOnline(_features: Command): void {}
