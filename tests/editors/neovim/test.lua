-- Headless Neovim test of a layerwise set-up from editors/neovim/, through Neovim's own LSP client.
--
-- run.sh installs one of the set-ups as the user's init.lua, opens the single-stage fixture and
-- runs this file with `-c luafile`. It works on Neovim 0.7 through 0.11: every API that moved
-- between versions goes through one of the small compat helpers below.
--
-- Environment (set by run.sh):
--   LW_WS      scratch workspace holding copies of tests/editors/fixtures/*
--   LW_SETUP   which set-up is installed (only printed)
--   LW_EXPECT  "layerwise" (default): the checks are about layerwise's behaviour;
--              "standin": the server is a stand-in (npm dockerfile-language-server-nodejs), used
--              only to prove this harness works. Checks marked `lw` are then reported as
--              "xfail (stand-in)" instead of failing, because they assert what only layerwise does.
-- Exit status: 0 when every check passed, 1 otherwise. Every wait is bounded.

local WS = assert(vim.env.LW_WS, 'LW_WS not set')
local STANDIN = vim.env.LW_EXPECT == 'standin'
local V = vim.version()
local NVIM = string.format('%d.%d.%d', V.major, V.minor, V.patch)
local HAS = function(feature) return vim.fn.has(feature) == 1 end

local passed, failed, xfailed = 0, 0, 0

-- Every message to and from the server goes to $XDG_STATE_HOME/nvim/lsp.log, for failures.
-- (The client started during start-up, but nothing has been read from it before this runs.)
pcall(function() (vim.lsp.log and vim.lsp.log.set_level or vim.lsp.set_log_level)('debug') end)

local function say(...)
  io.stdout:write(table.concat({ ... }, ' ') .. '\n')
  io.stdout:flush()
end

local function one_line(s, max)
  s = tostring(s or ''):gsub('%s+', ' ')
  if max and #s > max then s = s:sub(1, max) .. '...' end
  return s
end

--- Records one check. `opts.lw` marks assertions about layerwise's own behaviour (sizes, its fixes).
local function check(name, ok, detail, opts)
  if ok then
    passed = passed + 1
    say('ok    ' .. name .. (detail and detail ~= '' and ('  [' .. one_line(detail, 160) .. ']') or ''))
  elseif opts and opts.lw and STANDIN then
    xfailed = xfailed + 1
    say('xfail ' .. name .. ' (stand-in server): ' .. one_line(detail, 300))
  else
    failed = failed + 1
    say('FAIL  ' .. name .. ': ' .. one_line(detail, 600))
  end
  return ok
end

local function finish()
  say(string.format('neovim %s (%s): %d checks passed, %d failed, %d xfail', NVIM,
    vim.env.LW_SETUP or '?', passed, failed, xfailed))
  vim.cmd(failed == 0 and 'qall!' or 'cquit 1')
end

-- Compat helpers --------------------------------------------------------------------------

--- The layerwise client attached to `buf`, if any.
local function client_for(buf)
  local list
  if vim.lsp.get_clients then
    list = vim.lsp.get_clients({ bufnr = buf })
  elseif vim.lsp.get_active_clients and HAS('nvim-0.8') then
    list = vim.lsp.get_active_clients({ bufnr = buf })
  else
    list = vim.tbl_values(vim.lsp.buf_get_clients(buf))
  end
  for _, c in ipairs(list) do
    if c.name == 'layerwise' then return c end
  end
end

local function client_settings(client)
  if HAS('nvim-0.11') then return client.settings end
  return client.config.settings
end

local function notify(client, method, params)
  if HAS('nvim-0.11') then return client:notify(method, params) end
  return client.notify(method, params)
end

local function is_stopped(client)
  if HAS('nvim-0.11') then return client:is_stopped() end
  return client.is_stopped()
end

local function wait(ms, cond) return vim.wait(ms, cond, 50) end

-- A headless Neovim must never stop to ask: if the client ever offers a choice (two code
-- actions with one title), take the first and say so.
vim.ui.select = function(items, _, on_choice)
  say('      (vim.ui.select offered ' .. #items .. ' items; taking the first)')
  on_choice(items[1], items[1] and 1 or nil)
end

local PROVIDER = {
  ['textDocument/hover'] = 'hoverProvider',
  ['textDocument/completion'] = 'completionProvider',
  ['textDocument/codeAction'] = 'codeActionProvider',
}

--- A request through Neovim's client; returns (result, error text).
local function request(buf, method, params, ms)
  local c = client_for(buf)
  local provider = PROVIDER[method]
  if c and provider and not (c.server_capabilities or {})[provider] then
    return nil, 'the server does not advertise ' .. provider .. ' (so Neovim sends no ' .. method .. ')'
  end
  local res, err = vim.lsp.buf_request_sync(buf, method, params, ms or 10000)
  if not res then return nil, 'no response: ' .. tostring(err) end
  local client = client_for(buf)
  local r = client and res[client.id]
  if not r then return nil, 'no response from the layerwise client' end
  if r.err or r.error then return nil, 'server error: ' .. vim.inspect(r.err or r.error) end
  return r.result, nil
end

local function pos_params(buf, line, character)
  return { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = line, character = character } }
end

local function hover_text(result)
  if type(result) ~= 'table' or result.contents == nil then return '' end
  local c = result.contents
  if type(c) == 'string' then return c end
  if c.value then return c.value end
  local parts = {}
  for _, p in ipairs(c) do parts[#parts + 1] = type(p) == 'string' and p or (p.value or '') end
  return table.concat(parts, '\n')
end

local function labels_of(result)
  local items = type(result) == 'table' and (result.items or result) or {}
  local labels = {}
  for _, it in ipairs(items) do labels[#labels + 1] = it.label end
  return labels
end

--- Whether some label is `value`, or starts with it and a space: servers differ in whether the
--- label of an instruction item is "WORKDIR" or a snippet-like "WORKDIR /path".
local function contains(list, value)
  for _, v in ipairs(list) do
    if v == value or v:sub(1, #value + 1) == value .. ' ' then return true end
  end
  return false
end

local function lines_of(buf) return vim.api.nvim_buf_get_lines(buf, 0, -1, false) end

--- A size as people write it: "400 MB", "≈ 1.2 GB", "57MiB".
local SIZE = '%d[%d%.,]*%s*[kKMGT]i?B'

-- publishDiagnostics as the server sent them (before Neovim converts them), to see versions.
local published = {}
do
  local method = 'textDocument/publishDiagnostics'
  local original = vim.lsp.handlers[method]
  vim.lsp.handlers[method] = function(err, result, ctx, config)
    if result then
      published[#published + 1] = { uri = result.uri, version = result.version, count = #(result.diagnostics or {}) }
    end
    return original(err, result, ctx, config)
  end
end

local function last_published(buf)
  local uri = vim.uri_from_bufnr(buf)
  for i = #published, 1, -1 do
    if published[i].uri == uri then return published[i] end
  end
end

local function diags_on(buf, lnum)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.lnum == lnum then out[#out + 1] = d end
  end
  return out
end

local function describe_diags(buf)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    out[#out + 1] = string.format('%d:%d %s(%s) %s', d.lnum + 1, d.col + 1, tostring(d.source or ''),
      tostring(d.code or ''), one_line(d.message, 80))
  end
  return #out > 0 and table.concat(out, ' | ') or 'none'
end

--- Code actions offered for `range` (0-based lines, inclusive start, exclusive end).
local function code_actions(buf, start_line, end_line, diagnostics)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = start_line, character = 0 }, ['end'] = { line = end_line, character = 0 } },
    context = { diagnostics = diagnostics or {} },
  }
  local result, err = request(buf, 'textDocument/codeAction', params)
  return result or {}, err
end

--- The LSP form of the diagnostics on a line, for a code action request's context. Neovim 0.11
--- keeps the whole LSP diagnostic in user_data.lsp; 0.7 keeps only some fields there, so the
--- range, severity and message are rebuilt from Neovim's own (byte columns = UTF-16 columns
--- for the ASCII fixtures).
local function lsp_diagnostics(buf, lnum)
  local out = {}
  for _, d in ipairs(diags_on(buf, lnum)) do
    local raw = vim.deepcopy(d.user_data and d.user_data.lsp or {})
    raw.range = raw.range or {
      start = { line = d.lnum, character = d.col },
      ['end'] = { line = d.end_lnum or d.lnum, character = d.end_col or d.col },
    }
    raw.severity = raw.severity or d.severity
    raw.message = raw.message or d.message
    raw.source = raw.source or d.source
    raw.code = raw.code or d.code
    out[#out + 1] = raw
  end
  return out
end

--- Applies `action` the way a user choosing it would: vim.lsp.buf.code_action on 0.8+ (which
--- resolves it, applies its edit and runs its command); by hand on 0.7, which has no `apply`.
local function apply_action(buf, action, start_line, end_line, diagnostics)
  if HAS('nvim-0.8') then
    vim.lsp.buf.code_action({
      context = { diagnostics = diagnostics or {} },
      range = { start = { start_line + 1, 0 }, ['end'] = { end_line + 1, 0 } },
      filter = function(a) return a.title == action.title end,
      apply = true,
    })
    return
  end
  local client = client_for(buf)
  if action.edit then vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding) end
  local command = type(action.command) == 'table' and action.command or (action.command and action)
  if command and command.command then
    client.request('workspace/executeCommand', { command = command.command, arguments = command.arguments }, nil, buf)
  end
end

local function find_action(actions, pred)
  for _, a in ipairs(actions) do
    if pred(a) then return a end
  end
end

local function titles(actions)
  local t = {}
  for _, a in ipairs(actions) do t[#t + 1] = a.title end
  return #t > 0 and table.concat(t, ' | ') or 'none'
end

--- Opens `path` as a user would (:edit) and waits for layerwise to attach and initialize.
local function open(path)
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  local attached = wait(20000, function()
    local c = client_for(buf)
    return c ~= nil and c.server_capabilities ~= nil
  end)
  return buf, attached
end

-- The checks ------------------------------------------------------------------------------

local function run()
  say('neovim ' .. NVIM .. ', set-up ' .. tostring(vim.env.LW_SETUP) .. ', server ' ..
    (STANDIN and 'stand-in' or 'layerwise') .. ', workspace ' .. WS)

  -- 0. The set-up loaded as init.lua without an error (Neovim reports those as messages).
  local messages = vim.fn.execute('messages')
  check('init.lua (the set-up) loads without errors', not messages:find('Error detected', 1, true)
    and not messages:find('E5113', 1, true), messages)

  -- 1. Attach: the set-up alone (no help from this file) starts layerwise for a Dockerfile.
  local single = WS .. '/single-stage/Dockerfile'
  local buf, attached = open(single)
  check('filetype of Dockerfile is dockerfile', vim.bo[buf].filetype == 'dockerfile', vim.bo[buf].filetype)
  if not check('layerwise attaches and initializes', attached, attached and '' or
      'no initialized client named "layerwise" on the buffer after 20 s; see $WORK/xdg/state/nvim/lsp.log and server.log') then
    return
  end
  local client = client_for(buf)
  say('      server: ' .. vim.inspect(client.server_capabilities and
    vim.tbl_keys(client.server_capabilities) or {}, { newline = ' ', indent = '' }))

  -- 2. Diagnostics are pushed after didOpen. MAINTAINER (line 2) is deprecated.
  local got = wait(15000, function() return #diags_on(buf, 1) > 0 end)
  check('diagnostic on the MAINTAINER line', got, 'diagnostics: ' .. describe_diags(buf))
  -- Pushed diagnostics must say which version they are for. (A server may instead let the
  -- client pull them, textDocument/diagnostic; the pulled answer is for the version asked about.)
  local pull = client.server_capabilities.diagnosticProvider ~= nil
  say('      diagnostics mode: ' .. (pull and 'pull (textDocument/diagnostic)' or 'push (publishDiagnostics)'))
  local function buf_version(b)
    return vim.lsp.util.buf_versions and vim.lsp.util.buf_versions[b] or vim.b[b].changedtick
  end
  local pub = last_published(buf)
  local version = buf_version(buf)
  if not pull then
    check('publishDiagnostics carries the document version', pub ~= nil and pub.version == version,
      pub and ('published version ' .. tostring(pub.version) .. ', buffer version ' .. tostring(version))
      or 'nothing published', { lw = true })
  end

  -- 3. Hover: instruction docs on a keyword; the image size on the base image.
  local h, err = request(buf, 'textDocument/hover', pos_params(buf, 2, 2)) -- WORKDIR
  local text = hover_text(h)
  check('hover on WORKDIR returns documentation', text ~= '', err or one_line(text, 120))
  h, err = request(buf, 'textDocument/hover', pos_params(buf, 0, 6)) -- node:20
  text = hover_text(h)
  check('hover on node:20 shows an image size', text:find(SIZE) ~= nil,
    err or ('hover text: ' .. (text == '' and '(empty)' or one_line(text, 200))), { lw = true })

  -- 4. Inlay hints (Neovim 0.10+): the set-up turned them on, and layerwise sent size estimates.
  if vim.lsp.inlay_hint and vim.lsp.inlay_hint.get then
    local on = vim.lsp.inlay_hint.is_enabled({ bufnr = buf })
    check('set-up enabled inlay hints for the buffer', on, 'vim.lsp.inlay_hint.is_enabled() is ' .. tostring(on)
      .. ' (server inlayHintProvider: ' .. tostring(client.server_capabilities.inlayHintProvider) .. ')', { lw = true })
    local hints = {}
    wait(10000, function()
      hints = vim.lsp.inlay_hint.get({ bufnr = buf })
      return #hints > 0
    end)
    local labels = {}
    for _, hh in ipairs(hints) do
      local l = hh.inlay_hint.label
      if type(l) == 'table' then
        local parts = {}
        for _, p in ipairs(l) do parts[#parts + 1] = p.value end
        l = table.concat(parts)
      end
      labels[#labels + 1] = (hh.inlay_hint.position.line + 1) .. ':' .. tostring(l)
    end
    local joined = table.concat(labels, ' | ')
    check('inlay hints with a size arrive', joined:find(SIZE) ~= nil,
      #labels > 0 and joined or 'no inlay hints', { lw = true })
  else
    say('skip  inlay hints: Neovim ' .. NVIM .. ' has no vim.lsp.inlay_hint')
  end

  -- 5. Completion of instructions at the start of a line (typed "WO" on a new last line).
  local n = vim.api.nvim_buf_line_count(buf)
  vim.api.nvim_buf_set_lines(buf, n, n, false, { 'WO' })
  local c
  c, err = request(buf, 'textDocument/completion', pos_params(buf, n, 2))
  local labels = labels_of(c)
  check('completion after "WO" offers WORKDIR', contains(labels, 'WORKDIR'),
    err or ('labels: ' .. one_line(table.concat(labels, ', '), 200)))
  vim.api.nvim_buf_set_lines(buf, n, n + 1, false, { '' })
  c, err = request(buf, 'textDocument/completion', pos_params(buf, n, 0))
  labels = labels_of(c)
  check('completion on an empty line offers FROM, RUN and COPY',
    contains(labels, 'FROM') and contains(labels, 'RUN') and contains(labels, 'COPY'),
    err or ('labels: ' .. one_line(table.concat(labels, ', '), 200)))
  vim.api.nvim_buf_set_lines(buf, n, n + 1, false, {})
  -- After the edits, the diagnostics that arrive are for the new version.
  if not pull then
    version = buf_version(buf)
    got = wait(10000, function()
      local p = last_published(buf)
      return p ~= nil and p.version == version
    end)
    pub = last_published(buf)
    check('diagnostics republished for the edited version', got,
      'last published version ' .. tostring(pub and pub.version) .. ', buffer version ' .. tostring(version), { lw = true })
  end
  got = wait(10000, function() return #diags_on(buf, 1) > 0 end)
  check('MAINTAINER diagnostic still there after the edits', got, 'diagnostics: ' .. describe_diags(buf))

  -- 6. Quick fix for MAINTAINER, applied through the client.
  local ldiags = lsp_diagnostics(buf, 1)
  local actions
  actions, err = code_actions(buf, 1, 2, ldiags)
  local fix = find_action(actions, function(a)
    local t = a.title:lower()
    return (a.kind == nil or a.kind:find('^quickfix') ~= nil) and not t:find('ignore') and not t:find('disable')
      and not t:find('suppress')
  end)
  if check('quick fix offered for MAINTAINER', fix ~= nil, err or ('actions: ' .. titles(actions)), { lw = true }) then
    apply_action(buf, fix, 1, 2, ldiags)
    local applied = wait(10000, function()
      for _, l in ipairs(lines_of(buf)) do
        if l:match('^%s*[Mm][Aa][Ii][Nn][Tt][Aa][Ii][Nn][Ee][Rr]') then return false end
      end
      return true
    end)
    check('MAINTAINER quick fix applied ("' .. fix.title .. '")', applied,
      'buffer still has MAINTAINER: ' .. table.concat(lines_of(buf), ' / '))
  end

  -- 7. "Split into build and runtime stages" on the single-stage Node file.
  local before = lines_of(buf)
  actions, err = code_actions(buf, 0, #before)
  local split = find_action(actions, function(a) return a.title:lower():find('split') ~= nil end)
  if check('"Split into build and runtime stages" offered', split ~= nil,
      err or ('actions over the whole file: ' .. titles(actions)), { lw = true }) then
    apply_action(buf, split, 0, #before)
    local function froms()
      local k = 0
      for _, l in ipairs(lines_of(buf)) do if l:match('^%s*[Ff][Rr][Oo][Mm]%s') then k = k + 1 end end
      return k
    end
    wait(10000, function() return froms() >= 2 end)
    local after = table.concat(lines_of(buf), '\n')
    local kept = after:find('npm ci', 1, true) and after:find('npm run build', 1, true) and
      after:find('CMD', 1, true) and after:find('EXPOSE 3000', 1, true)
    check('split applied: two stages, --from, nothing lost', froms() >= 2 and after:find('--from=', 1, true) ~= nil
      and kept ~= nil, 'buffer after: ' .. one_line(after, 500), { lw = true })
  end

  -- 8. Multi-stage file: stage names after COPY --from=, the `latest` diagnostic and its fix.
  local mbuf, mattached = open(WS .. '/multi-stage/Dockerfile')
  if check('layerwise attaches to a second Dockerfile', mattached, mattached and '' or 'no layerwise client on multi-stage/Dockerfile') then
    local last = vim.api.nvim_buf_line_count(mbuf) - 1
    local line = vim.api.nvim_buf_get_lines(mbuf, last, last + 1, false)[1]
    c, err = request(mbuf, 'textDocument/completion', pos_params(mbuf, last, #line))
    labels = labels_of(c)
    check('completion after "COPY --from=" offers stages deps and build',
      contains(labels, 'deps') and contains(labels, 'build'),
      err or ('labels: ' .. one_line(table.concat(labels, ', '), 200)))

    got = wait(15000, function() return #diags_on(mbuf, 0) > 0 end)
    check('diagnostic on "FROM node:latest"', got, 'diagnostics: ' .. describe_diags(mbuf), { lw = true })
    if got then
      ldiags = lsp_diagnostics(mbuf, 0)
      actions, err = code_actions(mbuf, 0, 1, ldiags)
      fix = find_action(actions, function(a) return a.kind == nil or a.kind:find('^quickfix') ~= nil end)
      check('quick fix offered for the latest tag', fix ~= nil, err or ('actions: ' .. titles(actions)), { lw = true })

      -- 9. Settings reach the server: turn that rule off through workspace/configuration.
      local code = diags_on(mbuf, 0)[1].code
      local settings = client_settings(client_for(mbuf))
      if check('the latest-tag diagnostic names its rule (code)', code ~= nil and settings and settings.layerwise,
          'code ' .. tostring(code) .. ', client settings ' .. vim.inspect(settings), { lw = true }) then
        settings.layerwise.rules = settings.layerwise.rules or {}
        settings.layerwise.rules[tostring(code)] = 'off'
        notify(client_for(mbuf), 'workspace/didChangeConfiguration', { settings = settings })
        local gone = wait(10000, function()
          for _, d in ipairs(diags_on(mbuf, 0)) do
            if d.code == code then return false end
          end
          return true
        end)
        check('rules.' .. tostring(code) .. ' = "off" removes its diagnostic', gone,
          'diagnostics now: ' .. describe_diags(mbuf), { lw = true })
      end
    end
  end

  -- 10. Other names a Dockerfile goes by get the filetype and the server.
  for _, name in ipairs({ 'Containerfile', 'app.Dockerfile', 'Dockerfile.dev' }) do
    local b, ok = open(WS .. '/names/' .. name)
    check(name .. ' gets filetype dockerfile and layerwise', vim.bo[b].filetype == 'dockerfile' and ok,
      'filetype "' .. vim.bo[b].filetype .. '", attached ' .. tostring(ok))
  end

  -- Harness self-check, stand-in only: the stand-in has none of layerwise's fixes, so prove the
  -- apply path above (filter + apply, command + workspace/applyEdit) on a fix it does have.
  if STANDIN then
    local b = vim.api.nvim_get_current_buf()
    vim.api.nvim_buf_set_lines(b, 0, 0, false, { 'workdir /tmp' })
    wait(10000, function() return #lsp_diagnostics(b, 0) > 0 end)
    ldiags = lsp_diagnostics(b, 0)
    actions = code_actions(b, 0, 1, ldiags)
    fix = find_action(actions, function(a) return a.title:lower():find('uppercase') ~= nil end)
    if check('harness: stand-in offers its uppercase fix', fix ~= nil, 'actions: ' .. titles(actions)) then
      apply_action(b, fix, 0, 1, ldiags)
      local up = wait(10000, function() return lines_of(b)[1] == 'WORKDIR /tmp' end)
      check('harness: code action applied through the client', up, 'line 1: ' .. lines_of(b)[1])
    end
  end

  -- 11. Clean shutdown: the client asks, the server exits.
  client = client_for(buf)
  vim.lsp.stop_client(client.id)
  local stopped = wait(10000, function() return is_stopped(client) end)
  check('server shuts down when asked', stopped, stopped and '' or 'client not stopped 10 s after vim.lsp.stop_client')
end

local ok, e = xpcall(run, debug.traceback)
if not ok then check('test driver ran to the end', false, e) end
finish()
