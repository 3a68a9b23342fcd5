import type { Command } from "commander";
export function registerDiscovery(_features: Command): void {}
