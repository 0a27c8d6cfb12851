// Shortens the wasm's import names and the matching keys of the
// wasm-bindgen glue (`__wbg_createElement_8c9931a732ee2fea` -> `q7`), and its
// hashed or type-named export names (closure shims) with the glue's calls to
// them, and the imports' module name (`./widget_bg.js` -> `w`).
//
// wasm-bindgen names every import after the JS function plus a 16-hex-digit
// hash; those ~110 hashes are random, so gzip cannot shrink them, and each
// name appears twice (wasm import section, glue object key): ~2 KB gzip for
// nothing. Run between wasm-bindgen and wasm-opt:
//
//   node widget/tools/shrink-imports.mjs <dir>   (rewrites <dir>/widget_bg.wasm and <dir>/widget.js)
//
// It fails (and the build with it) if the glue does not hold each renamed
// import exactly once as an object key, or never calls a renamed export,
// e.g. after a wasm-bindgen upgrade changed the glue's shape.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
const wasmPath = join(dir, "widget_bg.wasm");
const gluePath = join(dir, "widget.js");
const wasm = readFileSync(wasmPath);
let glue = readFileSync(gluePath, "utf8");

function readLeb(bytes, pos) {
  let result = 0, shift = 0, byte;
  do {
    byte = bytes[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [result, pos];
}

function leb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return Buffer.from(out);
}

function name(buf, pos) {
  const [len, start] = readLeb(buf, pos);
  return [buf.toString("utf8", start, start + len), start + len];
}

function encodeName(s) {
  const bytes = Buffer.from(s, "utf8");
  return Buffer.concat([leb(bytes.length), bytes]);
}

// The import descriptor's bytes after the names (kind + type/limits).
function skipDesc(buf, pos) {
  const kind = buf[pos++];
  if (kind === 0) return readLeb(buf, pos)[1]; // func: type index
  if (kind === 1) { // table: reftype + limits
    pos++;
    const flags = buf[pos++];
    pos = readLeb(buf, pos)[1];
    return flags & 1 ? readLeb(buf, pos)[1] : pos;
  }
  if (kind === 2) { // memory: limits
    const flags = buf[pos++];
    pos = readLeb(buf, pos)[1];
    return flags & 1 ? readLeb(buf, pos)[1] : pos;
  }
  if (kind === 3) return pos + 2; // global: valtype + mutability
  if (kind === 4) return readLeb(buf, pos + 1)[1]; // tag
  throw new Error(`unknown import kind ${kind}`);
}

const parts = [wasm.subarray(0, 8)];
let pos = 8;
// The module every import comes from (one per import entry).
const MODULE = "./widget_bg.js";
// wasm-bindgen 0.2.130 names its closure shims after the crate hash and the
// closure's full type (`wasm_bindgen_<hash>___convert__closures_____invoke___
// js_sys_<hash>___Function_fn...`, ~250 characters each).
const CLOSURE_SHIM = /^wasm_bindgen_[0-9a-f]{16}___convert__closures_/;
const renamed = new Map();
const exported = new Map();
while (pos < wasm.length) {
  const id = wasm[pos];
  const [size, body] = readLeb(wasm, pos + 1);
  const end = body + size;
  if (id === 7) {
    // Exports: only the hashed ones (closure shims); the others are API.
    let [count, p] = readLeb(wasm, body);
    const entries = [leb(count)];
    for (let i = 0; i < count; i++) {
      let field;
      [field, p] = name(wasm, p);
      const descStart = p;
      p = readLeb(wasm, p + 1)[1];
      if (/_h[0-9a-f]{16}(_\d+)?$/.test(field) || CLOSURE_SHIM.test(field)) {
        const short = `x${exported.size.toString(36)}`;
        exported.set(field, short);
        field = short;
      }
      entries.push(encodeName(field), wasm.subarray(descStart, p));
    }
    const section = Buffer.concat(entries);
    parts.push(Buffer.from([7]), leb(section.length), section);
    pos = end;
    continue;
  }
  if (id !== 2) {
    parts.push(wasm.subarray(pos, end));
    pos = end;
    continue;
  }
  let [count, p] = readLeb(wasm, body);
  const entries = [leb(count)];
  for (let i = 0; i < count; i++) {
    let module, field;
    [module, p] = name(wasm, p);
    [field, p] = name(wasm, p);
    const descStart = p;
    p = skipDesc(wasm, p);
    if (field.startsWith("__wbg") && !renamed.has(field)) {
      renamed.set(field, `q${renamed.size.toString(36)}`);
    }
    const shortModule = module === MODULE ? "w" : module;
    entries.push(encodeName(shortModule), encodeName(renamed.get(field) ?? field), wasm.subarray(descStart, p));
  }
  const section = Buffer.concat(entries);
  parts.push(Buffer.from([2]), leb(section.length), section);
  pos = end;
}

for (const [old, short] of renamed) {
  const key = new RegExp(`\\b${old}(?=\\s*:)`, "g");
  const hits = glue.match(key)?.length ?? 0;
  if (hits !== 1) {
    throw new Error(`shrink-imports: ${old} is ${hits} times a key in the glue, expected once`);
  }
  glue = glue.replace(key, short);
}
const moduleKey = `"${MODULE}": import0`;
if (glue.split(moduleKey).length !== 2) {
  throw new Error(`shrink-imports: the glue does not map ${MODULE} to its imports once`);
}
glue = glue.replace(moduleKey, "w: import0");
for (const [old, short] of exported) {
  const use = new RegExp(`\\bwasm\\.${old}\\b`, "g");
  if (!use.test(glue)) {
    throw new Error(`shrink-imports: the glue never calls wasm.${old}`);
  }
  glue = glue.replace(use, `wasm.${short}`);
}
writeFileSync(wasmPath, Buffer.concat(parts));
writeFileSync(gluePath, glue);
console.log(`shrink-imports: ${renamed.size} import and ${exported.size} export names shortened`);
