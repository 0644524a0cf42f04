/**
 * Where onnxruntime-web's WebAssembly runtime is served from. transformers.js fetches it from
 * a CDN (jsDelivr) unless told otherwise, which breaks the installed app offline; these `?url`
 * imports make Vite serve the same files as the app's own assets (from node_modules in dev,
 * hashed under assets/ in a build), where the service worker can cache them. Both the WebGPU
 * and the WASM backend load this JSEP-less "asyncify" build (transformers.js's own default).
 */
import mjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import wasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';

/** For `env.backends.onnx.wasm.wasmPaths`. */
export const ORT_WASM_PATHS: { readonly mjs: string; readonly wasm: string } = { mjs, wasm };
