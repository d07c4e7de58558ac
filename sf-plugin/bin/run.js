#!/usr/bin/env node
// Runs the plugin's commands without the sf CLI (`node bin/run.js dealdesk doctor ...`), from the compiled lib/.
import { execute, settings } from '@oclif/core';

settings.enableAutoTranspile = false;
await execute({ dir: import.meta.url });
