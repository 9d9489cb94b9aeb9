#!/usr/bin/env bash
# Scaffolds an app: project.json (esbuild bundle to dist/apps/<name>/main.js), tsconfig, jest config.
set -euo pipefail
name=$1
dir=apps/$name
mkdir -p "$dir/src"
cat > "$dir/project.json" <<JSON
{
  "name": "$name",
  "\$schema": "../../node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$dir/src",
  "projectType": "application",
  "tags": ["type:app", "scope:$name"],
  "targets": {
    "build": {
      "executor": "@nx/esbuild:esbuild",
      "outputs": ["{options.outputPath}"],
      "options": {
        "main": "$dir/src/main.ts",
        "outputPath": "dist/apps/$name",
        "outputFileName": "main.js",
        "tsConfig": "$dir/tsconfig.json",
        "platform": "node",
        "format": ["cjs"],
        "bundle": true,
        "thirdParty": true,
        "external": ["better-sqlite3"],
        "generatePackageJson": true,
        "sourcemap": true,
        "target": "node20",
        "esbuildOptions": { "outExtension": { ".js": ".js" } }
      }
    },
    "serve": {
      "executor": "@nx/js:node",
      "options": { "buildTarget": "$name:build", "watch": false }
    },
    "lint": { "executor": "nx:run-commands", "options": { "command": "eslint $dir/src", "cwd": "{workspaceRoot}" } },
    "test": { "executor": "@nx/jest:jest", "options": { "jestConfig": "$dir/jest.config.js" } }
  }
}
JSON
cat > "$dir/tsconfig.json" <<TS
{ "extends": "../../tsconfig.base.json", "compilerOptions": { "noEmit": true }, "include": ["src/**/*.ts"] }
TS
cat > "$dir/jest.config.js" <<JS
module.exports = { ...require('../../jest.preset.js'), displayName: '$name', rootDir: __dirname };
JS
