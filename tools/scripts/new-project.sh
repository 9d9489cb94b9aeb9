#!/usr/bin/env bash
# Scaffolds project.json + jest.config.js for a lib or tool: new-project.sh <dir> <name> <tags-json>
set -euo pipefail
dir=$1 name=$2 tags=$3
mkdir -p "$dir/src"
cat > "$dir/project.json" <<JSON
{
  "name": "$name",
  "\$schema": "../../node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$dir/src",
  "projectType": "library",
  "tags": $tags,
  "targets": {
    "build": { "executor": "nx:run-commands", "options": { "command": "tsc -p $dir/tsconfig.json", "cwd": "{workspaceRoot}" } },
    "lint": { "executor": "nx:run-commands", "options": { "command": "eslint $dir/src", "cwd": "{workspaceRoot}" } },
    "test": { "executor": "@nx/jest:jest", "options": { "jestConfig": "$dir/jest.config.js", "passWithNoTests": false } }
  }
}
JSON
cat > "$dir/tsconfig.json" <<TS
{ "extends": "../../tsconfig.base.json", "compilerOptions": { "noEmit": true }, "include": ["src/**/*.ts"] }
TS
cat > "$dir/jest.config.js" <<JS
module.exports = { ...require('../../jest.preset.js'), displayName: '$name', rootDir: __dirname };
JS
