import type { Command } from "commander";
import { register as hash } from "./hash.js";

/** Every CLI command module exports `register(program)`; add new ones here. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [hash];
