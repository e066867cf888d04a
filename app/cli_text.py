"""Click's own words (Usage, Options, its error lines) in Chinese, whatever the machine's locale.

Click routes every text it prints through `gettext.gettext` / `ngettext`, so a translation is
the supported way to change it; but gettext picks the language from LANG/LANGUAGE, and office
PCs and servers often run an English or C locale. The catalogue below is therefore installed as
the lookup click's modules use, for the messages a user of `dangjian` can meet.
"""

from __future__ import annotations

import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types
import click.utils

MESSAGES = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 “{command} {option}” 查看帮助。",
    "Aborted!": "已中断。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有 {name!r} 这个命令。",
    "No such option {name!r}.": "没有 {name!r} 这个选项。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带值。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value} is not in the range {range}.": "{value} 不在 {range} 范围内。",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 无法读取。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "env var: {var}": "环境变量：{var}",
}
PLURAL = {
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个值。",
    "Did you mean {possibility}?": "是不是要用 {possibility}？",
    "(Possible options: {possibilities})": "（可用的选项：{possibilities}）",
}


def chinese(message: str) -> str:
    return MESSAGES.get(message, message)


def chinese_plural(singular: str, plural: str, n: int) -> str:
    chosen = singular if n == 1 else plural
    return PLURAL.get(chosen, chosen)


def install() -> None:
    """Make click's modules look their messages up here (idempotent)."""
    for module in (
        click.core,
        click.decorators,
        click.exceptions,
        click.formatting,
        click.parser,
        click.types,
        click.utils,
    ):
        module._ = chinese  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = chinese_plural  # type: ignore[attr-defined]
