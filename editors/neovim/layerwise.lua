-- layerwise for Neovim 0.11+ (built-in vim.lsp.config / vim.lsp.enable).
--
-- Paste into your init.lua, or save as ~/.config/nvim/plugin/layerwise.lua.
-- Needs `layerwise` on $PATH (or put its absolute path in `cmd`).
-- Neovim 0.8-0.10: use legacy.lua instead. nvim-lspconfig users: see lspconfig.lua.

-- Neovim already maps these names to the `dockerfile` filetype; saying it again keeps
-- older runtimes and unusual names (app.Dockerfile, Dockerfile.dev, Containerfile.prod) covered.
vim.filetype.add({
  filename = { Containerfile = 'dockerfile' },
  pattern = {
    ['.*%.[Dd]ockerfile'] = 'dockerfile',
    ['[Dd]ockerfile%..*'] = 'dockerfile',
    ['Containerfile%..*'] = 'dockerfile',
  },
})

-- The settings layerwise reads. The same table goes out twice: as initializationOptions
-- (read once at start-up) and as the `layerwise` section of workspace/configuration (re-read
-- when you change it and send workspace/didChangeConfiguration).
local settings = {
  inlayHints = { enabled = true },
  registry = { offline = false },
  -- Rule severities. Leave it out rather than empty: Neovim sends an empty table as [].
  -- rules = { ['rule-name'] = 'off' }, -- or 'hint' | 'info' | 'warning' | 'error'
}

vim.lsp.config('layerwise', {
  cmd = { 'layerwise', 'lsp' },
  filetypes = { 'dockerfile' },
  -- One server per repository; a Dockerfile outside any repository still gets one.
  root_markers = { '.git' },
  init_options = settings,
  settings = { layerwise = settings },
})
vim.lsp.enable('layerwise')

-- Size estimates are inlay hints: show them in every buffer layerwise attaches to.
vim.api.nvim_create_autocmd('LspAttach', {
  group = vim.api.nvim_create_augroup('layerwise-inlay-hints', { clear = true }),
  callback = function(args)
    local client = vim.lsp.get_client_by_id(args.data.client_id)
    if client and client.name == 'layerwise' and client:supports_method('textDocument/inlayHint') then
      vim.lsp.inlay_hint.enable(true, { bufnr = args.buf })
    end
  end,
})
