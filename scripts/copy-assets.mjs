// After tsc: the files the built service reads that are not TypeScript (SQL migrations).
// prompts/ and models/ are read from the project root, which dist/ sits in.
import fs from 'node:fs'
fs.cpSync('src/db/migrations', 'dist/db/migrations', { recursive: true })
