// Reads the shell examples of README.md: fenced ```sh / ```bash blocks in order, each split into commands
// with the answer each one promises (an inline `# 304`, or a following `# → 202 {"key":…}` comment).

/** The marker line right above a fence that must not run; its reason follows the colon. */
export const SKIP_MARKER = /^<!--\s*readme-test:\s*skip:\s*(.+?)\s*-->$/;

export interface ReadmeCommand {
  /** 1-based line numbers within the block, first and last line of the command. */
  first: number;
  last: number;
  text: string;
  /** The status the README promises; undefined means any 2xx. */
  status?: number;
  /** JSON keys the README shows in the answer (`"name":` in the → comment). */
  keys: string[];
}

export interface ReadmeBlock {
  /** Line of the opening fence in README.md. */
  line: number;
  lines: string[];
  skip?: string;
  commands: ReadmeCommand[];
}

const quotesOpen = (text: string): boolean => {
  let single = false;
  let double = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && !single) i++;
    else if (c === "'" && !double) single = !single;
    else if (c === '"' && !single) double = !double;
    else if (c === '#' && !single && !double && /\s/.test(text[i - 1] ?? ' ')) {
      const end = text.indexOf('\n', i);
      if (end < 0) break;
      i = end;
    }
  }
  return single || double;
};

const STATUS_IN_COMMENT = /\s#\s*(?:→\s*)?([1-5]\d\d)\b/;

export const splitCommands = (lines: readonly string[]): ReadmeCommand[] => {
  const commands: ReadmeCommand[] = [];
  let current: ReadmeCommand | undefined;
  let inArrow = false;
  lines.forEach((line, index) => {
    const n = index + 1;
    const trimmed = line.trim();
    if (current && current.last === n - 1 && (current.text.endsWith('\\') || quotesOpen(current.text))) {
      current.text += `\n${line}`;
      current.last = n;
      return;
    }
    if (trimmed.startsWith('#')) {
      const arrow = trimmed.match(/^#\s*→\s*(.*)$/);
      if (arrow && current) {
        inArrow = true;
        const status = arrow[1].match(/^([1-5]\d\d)\b/);
        if (status) current.status = Number(status[1]);
      }
      if (inArrow && current)
        current.keys.push(...[...trimmed.matchAll(/"([A-Za-z_][\w@]*)":/g)].map((m) => m[1]));
      return;
    }
    inArrow = false;
    if (trimmed === '') return;
    current = { first: n, last: n, text: line, keys: [] };
    commands.push(current);
  });
  for (const c of commands) {
    const lastLine = c.text.split('\n').at(-1) ?? '';
    const inline = lastLine.match(STATUS_IN_COMMENT);
    if (inline && c.status === undefined) c.status = Number(inline[1]);
  }
  return commands;
};

export const readmeBlocks = (markdown: string): ReadmeBlock[] => {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = lines[i].match(/^```(\w*)\s*$/);
    if (!fence) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    if (end < 0) throw new Error(`README.md: the fence at line ${i + 1} is never closed`);
    if (fence[1] === 'sh' || fence[1] === 'bash') {
      const body = lines.slice(i + 1, end);
      const skip = lines[i - 1]?.trim().match(SKIP_MARKER)?.[1];
      blocks.push({ line: i + 1, lines: body, skip, commands: splitCommands(body) });
    }
    i = end;
  }
  return blocks;
};
