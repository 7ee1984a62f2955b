"""Reports: the rule table (评估细则) and, for batches, HTML and Excel."""
