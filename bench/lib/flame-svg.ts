// A flame graph as a standalone SVG (root at the bottom, width ∝ samples, one colour per module, a tooltip
// per frame with its module, samples and share), drawn from folded stacks.
import type { FoldedStack } from './cpuprofile.ts';

interface Frame {
  name: string;
  module: string;
  samples: number;
  children: Map<string, Frame>;
}

export interface FlameOptions {
  title: string;
  /** Image width in px. */
  width?: number;
  /** Frames narrower than this many px are not drawn (their time still counts in their parents). */
  minWidthPx?: number;
}

const FRAME_H = 16;
const FONT_PX = 11;
const CHAR_PX = 6.2;
const PAD_TOP = 34;
const PAD_X = 10;

const escapeXml = (s: string): string =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A stable colour per module: Quiver warm, Node's own blue, packages green, V8/native grey-red. */
export const colourOf = (module: string): string => {
  let h = 0;
  for (let i = 0; i < module.length; i++) h = (h * 31 + module.charCodeAt(i)) >>> 0;
  const jitter = h % 30;
  if (module.startsWith('quiver:')) return `hsl(${20 + jitter}, 85%, ${55 + (h % 12)}%)`;
  if (module.startsWith('node:')) return `hsl(${200 + jitter}, 60%, ${62 + (h % 12)}%)`;
  if (module.startsWith('(')) return `hsl(${350 + (h % 10)}, 30%, ${62 + (h % 10)}%)`;
  return `hsl(${95 + jitter}, 45%, ${55 + (h % 12)}%)`;
};

const tree = (stacks: readonly FoldedStack[]): Frame => {
  const root: Frame = { name: 'all', module: '', samples: 0, children: new Map() };
  for (const s of stacks) {
    root.samples += s.samples;
    let at = root;
    s.frames.forEach((name, i) => {
      let child = at.children.get(name);
      if (!child) {
        child = { name, module: s.modules[i], samples: 0, children: new Map() };
        at.children.set(name, child);
      }
      child.samples += s.samples;
      at = child;
    });
  }
  return root;
};

const depthOf = (f: Frame): number => {
  let d = 0;
  for (const c of f.children.values()) d = Math.max(d, depthOf(c));
  return d + 1;
};

export const flameSvg = (stacks: readonly FoldedStack[], options: FlameOptions): string => {
  const width = options.width ?? 1200;
  const minWidth = options.minWidthPx ?? 0.3;
  const root = tree(stacks);
  const depth = depthOf(root);
  const height = PAD_TOP + depth * FRAME_H + 10;
  const scale = root.samples > 0 ? (width - 2 * PAD_X) / root.samples : 0;
  const rects: string[] = [];
  const draw = (f: Frame, x: number, level: number) => {
    const w = f.samples * scale;
    if (w < minWidth) return;
    const y = height - 10 - (level + 1) * FRAME_H;
    const share = root.samples ? (100 * f.samples) / root.samples : 0;
    const label = `${f.name}${f.module ? ` [${f.module}]` : ''} — ${f.samples} samples, ${share.toFixed(2)}%`;
    const chars = Math.floor((w - 4) / CHAR_PX);
    const text =
      chars >= 3 ? (f.name.length <= chars ? f.name : `${f.name.slice(0, Math.max(chars - 2, 1))}..`) : '';
    rects.push(
      `<g><title>${escapeXml(label)}</title><rect x="${x.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" ` +
        `height="${FRAME_H - 1}" rx="2" fill="${f.module ? colourOf(f.module) : '#ccc'}"/>` +
        (text ? `<text x="${(x + 3).toFixed(2)}" y="${y + FRAME_H - 4}">${escapeXml(text)}</text>` : '') +
        '</g>',
    );
    let cx = x;
    const children = [...f.children.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const c of children) {
      draw(c, cx, level + 1);
      cx += c.samples * scale;
    }
  };
  draw(root, PAD_X, 0);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<style>text{font:${FONT_PX}px monospace;fill:#000;pointer-events:none}rect:hover{stroke:#000}</style>`,
    `<rect width="100%" height="100%" fill="#fafafa"/>`,
    `<text x="${PAD_X}" y="20" style="font-size:14px">${escapeXml(options.title)}</text>`,
    ...rects,
    '</svg>',
  ].join('\n');
};
