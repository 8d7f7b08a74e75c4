"""Encodings as spreadsheets write them: detected, said, or given; unreadable files refused."""

import pytest

from salesdesk.io.textfile import UnreadableFile, decode, read_bytes

CHINESE = "姓名,公司,电话\r\n张伟,恒达贸易,138 0013 8000\r\n李娜,华光科技,+86 139 1234 5678\r\n"


def decoded(tmp_path, data: bytes, encoding=None):
    path = tmp_path / "people.csv"
    path.write_bytes(data)
    return decode(path, read_bytes(path), encoding)


@pytest.mark.parametrize(
    "data, text, label",
    [
        (CHINESE.encode("utf-8"), CHINESE, "UTF-8"),
        (b"\xef\xbb\xbf" + CHINESE.encode("utf-8"), CHINESE, "UTF-8 with BOM"),
        (CHINESE.encode("utf-16"), CHINESE, "UTF-16 LE"),  # what Excel's "Unicode text" writes
        (b"\xfe\xff" + CHINESE.encode("utf-16-be"), CHINESE, "UTF-16 BE"),
        (CHINESE.encode("gb18030"), CHINESE, "GB18030"),
        (CHINESE.encode("gbk"), CHINESE, "GB18030"),  # GBK read as its superset
        ("name,city\r\nAda,Zürich\r\n".encode("utf-16-le"), "name,city\r\nAda,Zürich\r\n", "UTF-16-LE"),
    ],
)
def test_encodings_are_detected_and_named(tmp_path, data, text, label):
    result = decoded(tmp_path, data)
    assert result.text == text
    assert result.encoding == label
    assert result.detected


def test_a_byte_order_mark_is_not_part_of_the_first_header(tmp_path):
    assert decoded(tmp_path, b"\xef\xbb\xbfname\n").text == "name\n"
    assert decoded(tmp_path, b"\xef\xbb\xbfname\n", "utf-8").text == "name\n"


def test_mostly_ascii_gb18030_with_repeated_chinese_words_is_still_gb18030(tmp_path):
    # charset-normalizer alone takes this for a single-byte code page (cp1250)
    rows = "".join(
        f"客户 {i},公司 {i % 50},+86 135 {i:04d} 0000,c{i}@example.com,Tech\n" for i in range(3000)
    )
    result = decoded(tmp_path, ("Name,Company,Phone,Email,Industry\n" + rows).encode("gb18030"))
    assert result.encoding == "GB18030"
    assert "客户 2999" in result.text


def test_western_code_page_falls_back_to_windows_1252(tmp_path):
    text = "Name;Firma;Straße\nJürgen Müller;Größe AG;Köln\nJosé Niño;Crème SA;Málaga\n" * 3
    result = decoded(tmp_path, text.encode("cp1252"))
    assert result.text == text
    assert result.encoding == "CP1252"


def test_given_encoding_wins_and_is_said_to_be_given(tmp_path):
    result = decoded(tmp_path, "name\nMüller\n".encode("latin-1"), "latin-1")
    assert result.text == "name\nMüller\n"
    assert (result.encoding, result.detected) == ("latin-1", False)


def test_wrong_given_encoding_names_the_byte_and_line(tmp_path):
    with pytest.raises(UnreadableFile) as caught:
        decoded(tmp_path, CHINESE.encode("gb18030"), "utf-8")
    assert str(caught.value) == (
        f"{tmp_path / 'people.csv'} cannot be read as utf-8: byte 0xd0 on line 1 is not utf-8; "
        "pass --encoding with the file's encoding (utf-8, gb18030 or cp1252)."
    )


def test_unknown_encoding_name_is_refused(tmp_path):
    with pytest.raises(UnreadableFile, match="'klingon' is not an encoding salesdesk knows"):
        decoded(tmp_path, b"name\n", "klingon")


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "is empty"),
        (b"  \r\n\r\n", "is empty"),
        (b"PK\x03\x04\x14\x00\x06\x00", "spreadsheet workbook, not CSV"),
    ],
)
def test_files_that_are_not_csv_text_are_refused(tmp_path, data, words):
    with pytest.raises(UnreadableFile, match=words):
        decoded(tmp_path, data)


def test_missing_file_and_folder_are_refused(tmp_path):
    with pytest.raises(UnreadableFile, match="does not exist"):
        read_bytes(tmp_path / "nope.csv")
    with pytest.raises(UnreadableFile, match="is a folder"):
        read_bytes(tmp_path)


@pytest.mark.parametrize(
    "text",
    [
        "name,phone,notes\n张伟,13800138000,老客户\n李娜,13912345678,喜欢喝茶\n",  # read as CP949 before
        "姓名,电话\n王芳,1\n刘洋,2\n",  # Chinese headers, read as CP949 before: no name column
        "名字,电话\n陈静,1\n",
    ],
)
def test_a_short_gbk_file_is_chinese_not_korean(tmp_path, text):
    result = decoded(tmp_path, text.encode("gbk"))
    assert (result.text, result.encoding) == (text, "GB18030")


@pytest.mark.parametrize(
    "text, encoding, label",
    [
        ("이름,전화\n김민수,010-1234-5678\n이영희,010-9876-5432\n박지성,010-5555-1212\n", "cp949", "CP949"),
        ("名前,電話\nやまだ たろう,03-1234-5678\nすずき はなこ,06-1234-5678\n", "shift_jis", "CP932"),
        ("姓名,電話\n陳美玲,0912-345-678\n林志明,0922-111-222\n", "big5", "BIG5"),
    ],
)
def test_korean_japanese_and_big5_text_says_otherwise(tmp_path, text, encoding, label):
    result = decoded(tmp_path, text.encode(encoding))
    assert (result.text, result.encoding) == (text, label)
