-- wrk script for the serve bench's "search, first time": every request's path is the URL's with
-- "&fresh=<run>-<thread>-<n>" added, never the same twice, so nothing the site remembers (a ranking, a page)
-- answers it, as for a query no reader has asked yet. The site ignores the parameter; <run> is wrk's first
-- argument after "--", so that a run does not repeat the paths of the one before.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  run = args[1] or "0"
  sent = 0
end

function request()
  sent = sent + 1
  return wrk.format(nil, wrk.path .. "&fresh=" .. run .. "-" .. thread_number .. "-" .. sent)
end
