"""What the import holds between its steps: the perimeter's numbers as one array
read as a list of texts, and the memory given back after a step."""

import bisect

import numpy as np
from bce_engine import release_memory
from bce_engine.engine import EnterpriseNumbers
from bce_engine.model import _pack_texts, _unpack_text_array


def test_enterprise_numbers_read_as_the_list_of_texts():
    array = np.array([200065765, 403170701, 1000000097], dtype=np.int64)
    listed = ["0200065765", "0403170701", "1000000097"]
    numbers = EnterpriseNumbers(array)
    assert numbers == listed and list(numbers) == listed
    assert len(numbers) == 3 and numbers[0] == "0200065765" and numbers[-1] == "1000000097"
    assert numbers[1:] == listed[1:] and isinstance(numbers[1:], EnterpriseNumbers)
    for after in ("", "0200065765", "0300000000", "1000000097", "9"):
        assert bisect.bisect_right(numbers, after) == bisect.bisect_right(listed, after)
    assert "0403170701" in numbers and "0403170702" not in numbers and "x" not in numbers
    assert numbers != listed[:2] and numbers != "0200065765"


def test_release_memory_keeps_what_is_held():
    kept = np.arange(1_000_000)
    release_memory()
    assert int(kept.sum()) == 999_999 * 1_000_000 // 2


def test_texts_of_a_saved_state_read_back_without_python_strings():
    texts = ["Société Générale", "", "Brasserie Ÿ", "a\tb"]
    array = _unpack_text_array(_pack_texts(texts), len(texts))
    assert array.dtype == "str" and list(array) == texts
    assert list(_unpack_text_array(_pack_texts([]), 0)) == []
