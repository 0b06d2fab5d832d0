#!/usr/bin/env node
// The `entroscope` command. Runs the compiled runner (built by the root `prepare` script on npm install).
require('../dist/main.js');
