// Draws the demo's app icons from one piece of geometry and writes them to demo/public/icons/:
// an SVG, PNGs at 192 and 512 (a rounded square on transparent corners), maskable PNGs (the
// square runs to the edges and the glyph stays inside the safe circle) and a 180 px Apple touch
// icon. The glyph is a lower-case "m" drawn as strokes, with a dot above it: a remembered
// thing. No image library: each pixel's coverage comes from distance functions, 4×4 samples a
// pixel, and the PNG is written with node:zlib.
//
//   node scripts/make-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

const OUT = new URL('../demo/public/icons/', import.meta.url);

/** The palette; theme_color and background_color in demo/vite.config.ts use BACKGROUND_TOP. */
const BACKGROUND_TOP = [0x1e, 0x29, 0x3b]; // #1e293b
const BACKGROUND_BOTTOM = [0x0f, 0x17, 0x2a]; // #0f172a
const INK = [0xe2, 0xe8, 0xf0]; // #e2e8f0
const ACCENT = [0x81, 0x8c, 0xf8]; // #818cf8

// The glyph in a unit square, y down: three stems, two arches, a dot.
const STROKE = 0.09;
const BASELINE = 0.7;
const ARCH_Y = 0.47; // the arches' centre line
const STEMS = [0.28, 0.5, 0.72];
const ARCH_R = (STEMS[1] - STEMS[0]) / 2; // arches span neighbouring stems
const DOT = { x: 0.72, y: 0.25, r: 0.06 };
const CORNER = 0.22; // corner radius of the rounded square

const segment = (px, py, ax, ay, bx, by) => {
  const [dx, dy] = [bx - ax, by - ay];
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
};

/** Distance to the upper half of a circle (an arch), its ends included. */
const arch = (px, py, cx, cy, r) =>
  py <= cy
    ? Math.abs(Math.hypot(px - cx, py - cy) - r)
    : Math.min(Math.hypot(px - cx + r, py - cy), Math.hypot(px - cx - r, py - cy));

/** Distance from (x, y) to the centre line of the "m". */
function glyph(x, y) {
  const [a, b, c] = STEMS;
  return Math.min(
    segment(x, y, a, ARCH_Y - ARCH_R, a, BASELINE),
    segment(x, y, b, ARCH_Y, b, BASELINE),
    segment(x, y, c, ARCH_Y, c, BASELINE),
    arch(x, y, (a + b) / 2, ARCH_Y, ARCH_R),
    arch(x, y, (b + c) / 2, ARCH_Y, ARCH_R),
  );
}

/** Signed distance to a rounded square filling the unit square; negative inside. */
function roundedSquare(x, y, r) {
  const qx = Math.abs(x - 0.5) - (0.5 - r);
  const qy = Math.abs(y - 0.5) - (0.5 - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

const mix = (a, b, t) => a.map((v, i) => v + (b[i] - v) * t);

/**
 * One icon as RGBA rows. `maskable`: the background fills the square and the glyph shrinks
 * to 70 % so that it stays inside the 80 % safe circle of a maskable icon.
 */
function draw(size, { maskable = false, corner = CORNER } = {}) {
  const scale = maskable ? 0.7 : 1;
  const rgba = Buffer.alloc(size * size * 4);
  const N = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let [r, g, b, a] = [0, 0, 0, 0];
      for (let sy = 0; sy < N; sy++) {
        for (let sx = 0; sx < N; sx++) {
          const x = (px + (sx + 0.5) / N) / size;
          const y = (py + (sy + 0.5) / N) / size;
          if (!maskable && roundedSquare(x, y, corner) > 0) continue;
          const gx = (x - 0.5) / scale + 0.5;
          const gy = (y - 0.5) / scale + 0.5;
          let colour = mix(BACKGROUND_TOP, BACKGROUND_BOTTOM, y);
          if (glyph(gx, gy) <= STROKE / 2) colour = INK;
          else if (Math.hypot(gx - DOT.x, gy - DOT.y) <= DOT.r) colour = ACCENT;
          r += colour[0];
          g += colour[1];
          b += colour[2];
          a += 1;
        }
      }
      const i = (py * size + px) * 4;
      // Colour is averaged over the covered samples only, so the edges don't darken.
      rgba[i] = a ? Math.round(r / a) : 0;
      rgba[i + 1] = a ? Math.round(g / a) : 0;
      rgba[i + 2] = a ? Math.round(b / a) : 0;
      rgba[i + 3] = Math.round((a / (N * N)) * 255);
    }
  }
  return rgba;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit RGBA PNG: each row prefixed with filter 0 (none), the whole deflated. */
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // depth 8, colour type RGBA, deflate, filter 0, no interlace
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++)
    rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const hex = (c) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
const n = (v) => +(v * 512).toFixed(2);

/** The same drawing as SVG, in a 512 box. */
function svg() {
  const [a, b, c] = STEMS;
  const r = ARCH_R;
  const path = [
    `M${n(a)} ${n(BASELINE)}V${n(ARCH_Y - ARCH_R)}`,
    `M${n(a)} ${n(ARCH_Y)}A${n(r)} ${n(r)} 0 0 1 ${n(b)} ${n(ARCH_Y)}V${n(BASELINE)}`,
    `M${n(b)} ${n(ARCH_Y)}A${n(r)} ${n(r)} 0 0 1 ${n(c)} ${n(ARCH_Y)}V${n(BASELINE)}`,
  ].join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="${hex(BACKGROUND_TOP)}"/>
      <stop offset="1" stop-color="${hex(BACKGROUND_BOTTOM)}"/>
    </linearGradient>
  </defs>
  <rect width="512" height="512" rx="${n(CORNER)}" fill="url(#bg)"/>
  <path d="${path}" fill="none" stroke="${hex(INK)}" stroke-width="${n(STROKE)}" stroke-linecap="round"/>
  <circle cx="${n(DOT.x)}" cy="${n(DOT.y)}" r="${n(DOT.r)}" fill="${hex(ACCENT)}"/>
</svg>
`;
}

mkdirSync(OUT, { recursive: true });
const icons = {
  'icon-192.png': png(192, draw(192)),
  'icon-512.png': png(512, draw(512)),
  'maskable-192.png': png(192, draw(192, { maskable: true })),
  'maskable-512.png': png(512, draw(512, { maskable: true })),
  // iOS draws its own rounded corners and shows transparency as black: a full square.
  'apple-touch-icon.png': png(180, draw(180, { corner: 0 })),
  'icon.svg': svg(),
};
for (const [name, data] of Object.entries(icons)) writeFileSync(new URL(name, OUT), data);
console.log(`icons: wrote ${Object.keys(icons).join(', ')} to demo/public/icons/`);
