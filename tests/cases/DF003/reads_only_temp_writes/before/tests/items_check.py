def test_items(tmp_path):
    (tmp_path / "x.json").write_text("{}")
