// Bundles the page modules and the stylesheet into web/static/dist with content-hashed names,
// writes a manifest the server reads (logical name -> file), pre-compresses each file (.gz) and
// prints every bundle's size, raw and gzipped. Run by `make install`; nothing is fetched at run time.
// JavaScript is split: a page loads its small entry module, and heavy parts (the EDS signer) load
// only when used, through dynamic imports of hashed chunks.
import { build } from "esbuild";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "web", "static", "dist");
const entries = ["frontend/src/login.js", "frontend/src/live.js", "frontend/src/filing.js", "frontend/src/cabinet.js", "frontend/src/act.js", "frontend/src/room.js", "frontend/src/site.css"];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: entries,
  bundle: true,
  minify: true,
  splitting: true,
  format: "esm",
  target: ["chrome110", "firefox110", "safari16"],
  outdir: out,
  entryNames: "[name].[hash]",
  chunkNames: "chunk.[hash]",
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});

const manifest = {};
const rows = [];
for (const [file, info] of Object.entries(result.metafile.outputs)) {
  const name = basename(file);
  if (info.entryPoint) {
    manifest[basename(info.entryPoint)] = name;
  }
  const bytes = readFileSync(join(root, file));
  const gz = gzipSync(bytes, { level: 9 });
  writeFileSync(join(root, `${file}.gz`), gz);
  rows.push([name, bytes.length, gz.length, info.entryPoint ? relative(root, join(root, info.entryPoint)) : "chunk"]);
}
writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
for (const [file, raw, gz, what] of rows) {
  console.log(`${file.padEnd(30)} ${(raw / 1024).toFixed(1).padStart(8)} KiB ${(gz / 1024).toFixed(1).padStart(7)} KiB gzip  ${what}`);
}
console.log(`${readdirSync(out).length} files in web/static/dist`);
