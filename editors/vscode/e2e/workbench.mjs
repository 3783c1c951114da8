// Small helpers for driving VS Code's workbench (code-server 4.100 = VS Code 1.100) through
// playwright-core: opening files, reading the editor as rendered, pointing at text, running
// commands, reading notifications. Separate from the checks in vscode-e2e.mjs so those read as
// what a user does. Selectors are VS Code's own DOM classes; each has been seen to work on this
// version, and a wait on any of them is bounded by `uiWait`.

/** Helpers bound to one page. */
export function workbench(page, { uiWait }) {
  const UI_WAIT = uiWait;

  /** Polls `probe` until it returns a truthy value or `ms` pass; returns the last value. */
  async function poll(ms, probe, interval = 250) {
    const deadline = Date.now() + ms;
    let last;
    for (;;) {
      last = await probe();
      if (last) return last;
      if (Date.now() > deadline) return last;
      await page.waitForTimeout(interval);
    }
  }

  const editorSel = '.editor-group-container.active .editor-instance .monaco-editor';

  /** A regular expression matching exactly the text `s`. */
  const exactly = (s) => new RegExp(`^${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

  /** Opens a top-level workspace file from the Explorer and waits until its editor shows text. */
  async function openFile(name) {
    // Quick Open would also do, but its list re-sorts while it fills ("Dockerfile" matches
    // "build.Dockerfile" too), so a click there can land on the wrong row.
    await page.getByRole('treeitem', { name, exact: true }).first().click();
    const tab = page.locator('.tabs-container .tab.active .label-name', { hasText: exactly(name) });
    await tab.waitFor({ state: 'visible', timeout: UI_WAIT });
    await page.locator(`${editorSel} .view-lines .view-line`).first().waitFor({ state: 'visible', timeout: UI_WAIT });
  }

  /** Text of the visible lines of the active editor (inlay hints included; nbsp as space). */
  async function editorText() {
    return page.locator(`${editorSel} .view-lines .view-line`).evaluateAll((lines) =>
      lines
        .map((l) => ({ top: parseFloat(l.style.top) || 0, text: (l.textContent || '').replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text)
        .join('\n'),
    );
  }

  /** Screen point in the middle of the first occurrence of `needle` on a line matching `lineRe`. */
  async function pointAt(lineRe, needle) {
    return page.locator(`${editorSel} .view-lines .view-line`).evaluateAll(
      (lines, [src, flags, n]) => {
        const re = new RegExp(src, flags);
        for (const line of lines) {
          const text = (line.textContent || '').replace(/\u00a0/g, ' ');
          if (!re.test(text)) continue;
          const at = text.indexOf(n);
          if (at < 0) continue;
          // Walk the text nodes to turn the character offset into a DOM range.
          const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
          let seen = 0;
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const len = node.textContent.length;
            if (at < seen + len) {
              const range = document.createRange();
              const start = at - seen;
              range.setStart(node, start);
              range.setEnd(node, Math.min(len, start + Math.max(1, Math.floor(n.length / 2))));
              const r = range.getBoundingClientRect();
              return { x: r.right - 1, y: r.top + r.height / 2 };
            }
            seen += len;
          }
        }
        return null;
      },
      [lineRe.source, lineRe.flags, needle],
    );
  }

  /** Clicks at the start of the first line matching `lineRe` (puts the cursor there). */
  async function clickLine(lineRe, needle) {
    const p = await pointAt(lineRe, needle);
    if (!p) throw new Error(`no line matching ${lineRe} containing "${needle}" is visible in the editor`);
    await page.mouse.click(p.x, p.y);
  }

  /** Runs a command by its title through the command palette (F1: Ctrl+Shift+P is taken by browsers). */
  async function runCommand(title) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: UI_WAIT });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: UI_WAIT });
    } catch {
      throw new Error(`the command palette has no "${title}" (is the extension installed and active?)`);
    }
    await row.click();
  }

  /**
   * Texts of the notification toasts now on screen. Toasts hide themselves after 15-20 s, so
   * checks that wait longer collect them while they poll (`seen`).
   */
  async function toastTexts(seen) {
    const now = (await page.locator('.notifications-toasts .notification-list-item').allInnerTexts().catch(() => []))
      .map((t) => t.replace(/\s+/g, ' ').trim()).filter((t) => t !== '');
    if (seen) for (const t of now) seen.add(t);
    return now;
  }

  function rowsText(locator) {
    return locator.evaluateAll((els) => els.map((e) => `${e.getAttribute('aria-label') || ''} | ${(e.textContent || '').trim()}`));
  }

  return { poll, editorSel, exactly, openFile, editorText, pointAt, clickLine, runCommand, toastTexts, rowsText };
}
