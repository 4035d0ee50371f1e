from registry.secrets import references, resolve


def test_resolve_reads_environment_only_at_use_time():
    config = {"base_url": "http://x", "auth": {"token": {"env": "TOKEN_A"}}, "list": [{"env": "B"}]}
    assert resolve(config, {"TOKEN_A": "t0k", "B": "b"}) == {"base_url": "http://x", "auth": {"token": "t0k"},
                                                             "list": ["b"]}
    assert config["auth"]["token"] == {"env": "TOKEN_A"}  # the stored config is untouched
    assert references(config) == ["TOKEN_A", "B"]
    assert resolve(config, {})["auth"]["token"] is None
