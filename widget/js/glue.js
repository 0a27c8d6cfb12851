// The entry of widget.js (the bundle the bootstrap imports when the widget is
// needed): the wasm-bindgen glue's initialiser and the two functions the
// bootstrap calls. Naming them here lets esbuild drop the rest of the glue
// (server_fn's stream classes the widget never uses).
export { default, call, start } from "./widget.js";
