import type { Command } from "commander";

/** Every CLI command module exports `register(program)`; add new ones here. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [];
