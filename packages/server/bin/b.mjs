#!/usr/bin/env node
import '../dist-b/cli.js';
