#!/usr/bin/env node
// The `quiver` command: registers tsx and runs the TypeScript entry (there is no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
