"""The statistics charts read right: a count axis has whole-number ticks, an amount axis round ones, and the
legend is as wide as its longest label, so nothing is cut off."""

import re

import pytest

from archive.charts import axis_ticks, stacked_bars_svg


@pytest.mark.parametrize(("value", "ticks"), [
    (3, [0, 1, 2, 3]), (5, [0, 2, 4, 6]), (0, [0, 1]), (12, [0, 5, 10, 15]), (40, [0, 10, 20, 30, 40]),
])
def test_a_count_axis_has_whole_number_ticks(value, ticks):
    assert axis_ticks(value, integer=True) == ticks


def test_an_amount_axis_has_round_ticks_reaching_the_largest_value():
    assert axis_ticks(3865) == [0, 1000, 2000, 3000, 4000]
    assert axis_ticks(5000)[-1] >= 5000


def test_the_project_chart_labels_its_axis_in_whole_numbers():
    svg = stacked_bars_svg(["11月", "12月"], [("政府采购", [1, 1]), ("固定价比选", [1, 2])], title="各月", integer=True)
    labels = re.findall(r'text-anchor="end">([^<]+)</text>', svg)
    assert labels == ["0", "1", "2", "3"]


def test_the_legend_makes_room_for_its_longest_label():
    name = "中标（中选）金额（万元）"
    svg = stacked_bars_svg(["1月"], [(name, [3865])], title="各月定标金额（万元）", width=720)
    x = float(re.search(r'<text x="([0-9.]+)"[^>]*>' + re.escape(name), svg).group(1))
    assert x + 11 * len(name) <= 720
