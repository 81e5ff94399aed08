// API keys (docs/security.md): one node per key, by id; the secret is stored only as its hash.
CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (n:ApiKey) REQUIRE n.id IS UNIQUE;
