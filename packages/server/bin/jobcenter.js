#!/usr/bin/env node
// The `jobcenter` command: a committed, executable entry that loads the built CLI.
import '../dist/cli/main.js';
