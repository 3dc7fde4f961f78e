-- Neovim (0.7+) as a real LSP client of flasklint: open the buffer given on the command line,
-- wait for the server's diagnostics, ask for the quick fixes of the first diagnostic with code
-- $FIX_CODE, apply the one flasklint titles "$FIX_CODE: ..." through Neovim's own workspace-edit
-- code, and write the buffer. Results land in $OUT_DIR (diagnostics.json, actions.json, error.txt).
local out_dir = vim.env.OUT_DIR
local code = vim.env.FIX_CODE
local function write(name, text)
  local f = assert(io.open(out_dir .. "/" .. name, "w"))
  f:write(text)
  f:close()
end
local function fail(message)
  write("error.txt", message)
  vim.cmd("cquit! 2")
end

local bufnr = vim.api.nvim_get_current_buf()
local published = {}
local client_id = vim.lsp.start_client({
  name = "flasklint",
  cmd = { vim.env.FLASKLINT, "server" },  -- the console script, as lsp/README.md tells Neovim users
  root_dir = vim.fn.getcwd(),
  init_options = { settings = { debounce = 0 } },
  handlers = {
    ["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
      published[result.uri] = result.diagnostics
      return vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
    end,
  },
})
if not client_id then
  return fail("start_client returned nil")
end
vim.lsp.buf_attach_client(bufnr, client_id)
local uri = vim.uri_from_bufnr(bufnr)
if not vim.wait(30000, function() return published[uri] ~= nil end, 20) then
  return fail("timeout waiting for diagnostics")
end
write("diagnostics.json", vim.fn.json_encode(published[uri]))

local target
for _, diagnostic in ipairs(published[uri]) do
  if diagnostic.code == code then
    target = diagnostic
    break
  end
end
if not target then
  return fail("no " .. code .. " diagnostic")
end
local params = {
  textDocument = { uri = uri },
  range = target.range,
  context = { diagnostics = { target }, only = { "quickfix" } },
}
local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", params, 10000)
local response = responses and responses[client_id]
if not response or response.err then
  return fail("codeAction failed: " .. vim.inspect(responses))
end
local actions = response.result or {}
write("actions.json", vim.fn.json_encode(actions))
local chosen
for _, action in ipairs(actions) do
  if vim.startswith(action.title, code .. ": ") then
    chosen = action
    break
  end
end
if not chosen then
  return fail("no quick fix titled " .. code)
end
local client = vim.lsp.get_client_by_id(client_id)
vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
vim.cmd("silent write")
vim.lsp.stop_client(client_id)
vim.wait(5000, function() return vim.lsp.client_is_stopped(client_id) end, 20)
vim.cmd("qall!")
