"""Raw file -> clean story -> database. No HTTP, no templates.

decode (bytes -> text or a rejection) -> clean (text -> story parts) ->
detect (language) -> classify (topics, tags) -> load (database, ledger).
"""
