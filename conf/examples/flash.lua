-- Messages from mod_lua (see lua.conf): set r.notes['flashmsg'] to a value
-- in the X-Flash grammar; mod_flashmsg reads the note when the response goes
-- out.  One note per request: several messages go in the structured form.

-- Handler (LuaMapHandler): save the settings form, then redirect back.
function save(r)
  if r.method ~= 'POST' then
    return 405
  end
  -- ... save r:parsebody() ...
  r.notes['flashmsg'] = '"Settings saved.";level=success, "See you soon.";level=info'
  r.headers_out['Location'] = '/settings/'
  return 303
end

-- Hook (LuaHookFixups): runs before the handler of every request it is
-- configured for, static files included; the page shows the message at once.
function outdated_docs(r)
  r.notes['flashmsg'] = 'warning outdated: You are reading the docs of version 1.'
  return apache2.DECLINED
end
