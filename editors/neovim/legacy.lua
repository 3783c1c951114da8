-- layerwise for Neovim 0.8-0.10: start the server from a FileType autocmd with vim.lsp.start.
-- Also works on 0.7, which has no vim.lsp.start (it falls back to vim.lsp.start_client).
--
-- Paste into your init.lua, or save as ~/.config/nvim/plugin/layerwise.lua.
-- Needs `layerwise` on $PATH (or put its absolute path in `cmd`).

-- The settings layerwise reads; sent as initializationOptions and as the `layerwise`
-- section of workspace/configuration.
local settings = {
  inlayHints = { enabled = true },
  registry = { offline = false },
  -- Rule severities. Leave it out rather than empty: Neovim sends an empty table as [].
  -- rules = { ['rule-name'] = 'off' }, -- or 'hint' | 'info' | 'warning' | 'error'
}

local group = vim.api.nvim_create_augroup('layerwise', { clear = true })

-- Older runtimes do not know every name a Dockerfile goes by.
vim.api.nvim_create_autocmd({ 'BufRead', 'BufNewFile' }, {
  group = group,
  pattern = { 'Containerfile', 'Containerfile.*', '*.Dockerfile', '*.dockerfile', 'Dockerfile.*' },
  command = 'setfiletype dockerfile',
})

-- The directory holding the nearest `.git` (a directory, or a file in a worktree) above the
-- buffer's file, else the file's own directory: one server per repository.
local function root_dir(bufnr)
  local dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':p:h')
  local marker = vim.fn.finddir('.git', dir .. ';')
  if marker == '' then
    marker = vim.fn.findfile('.git', dir .. ';')
  end
  if marker == '' then
    return dir
  end
  return vim.fn.fnamemodify((vim.fn.fnamemodify(marker, ':p'):gsub('/$', '')), ':h')
end

local function on_attach(client, bufnr)
  -- Inlay hints (the size estimates) exist from Neovim 0.10 on.
  if vim.lsp.inlay_hint and client.server_capabilities.inlayHintProvider then
    vim.lsp.inlay_hint.enable(true, { bufnr = bufnr })
  end
end

local clients_by_root = {} -- Neovim 0.7 only: vim.lsp.start does this bookkeeping itself.

vim.api.nvim_create_autocmd('FileType', {
  group = group,
  pattern = 'dockerfile',
  callback = function(args)
    if vim.bo[args.buf].buftype ~= '' then
      return
    end
    local root = root_dir(args.buf)
    local config = {
      name = 'layerwise',
      cmd = { 'layerwise', 'lsp' },
      root_dir = root,
      init_options = settings,
      settings = { layerwise = settings },
      on_attach = on_attach,
    }
    if vim.lsp.start then
      vim.lsp.start(config, { bufnr = args.buf })
      return
    end
    local id = clients_by_root[root]
    if not (id and vim.lsp.get_client_by_id(id)) then
      config.workspace_folders = { { uri = vim.uri_from_fname(root), name = root } }
      id = vim.lsp.start_client(config)
      clients_by_root[root] = id
    end
    if id then
      vim.lsp.buf_attach_client(args.buf, id)
    end
  end,
})
