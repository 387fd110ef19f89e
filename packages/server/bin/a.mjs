#!/usr/bin/env node
import '../dist-a/cli.js';
