-- layerwise as a custom server of nvim-lspconfig (its `require('lspconfig').X.setup{}` API).
--
-- nvim-lspconfig ships no layerwise entry, so this registers one and sets it up.
-- On Neovim 0.11+ you do not need nvim-lspconfig for layerwise: layerwise.lua does the same with
-- the built-in vim.lsp.config, which is where nvim-lspconfig itself is heading.
-- Needs `layerwise` on $PATH (or put its absolute path in `cmd`).

local settings = {
  inlayHints = { enabled = true },
  registry = { offline = false },
  -- Rule severities. Leave it out rather than empty: Neovim sends an empty table as [].
  -- rules = { ['rule-name'] = 'off' }, -- or 'hint' | 'info' | 'warning' | 'error'
}

local configs = require('lspconfig.configs')
local util = require('lspconfig.util')

if not configs.layerwise then
  configs.layerwise = {
    default_config = {
      cmd = { 'layerwise', 'lsp' },
      filetypes = { 'dockerfile' },
      root_dir = util.root_pattern('.git'),
      -- A Dockerfile outside any repository still gets a server.
      single_file_support = true,
      init_options = settings,
      settings = { layerwise = settings },
    },
    docs = {
      description = 'layerwise: Dockerfile language server (diagnostics, image and layer sizes, fixes).',
    },
  }
end

require('lspconfig').layerwise.setup({
  on_attach = function(client, bufnr)
    if vim.lsp.inlay_hint and client.server_capabilities.inlayHintProvider then
      vim.lsp.inlay_hint.enable(true, { bufnr = bufnr })
    end
  end,
})
