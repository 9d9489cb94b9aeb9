// The dashboard runs in a browser: its files need the DOM types even when type-checked as part
// of the whole workspace (root tsconfig.json), whose lib is ES2022 only.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
