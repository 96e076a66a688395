#!/usr/bin/env node
// The CLI is TypeScript run through tsx, like every entry point of this repository. Registering the
// loader here, resolved next to this file rather than from the caller's directory, lets
// `npx kafka-monitor` and ./kafka.sh work from anywhere.
import { URL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/main.ts', import.meta.url).href);
