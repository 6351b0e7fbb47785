"""A small text-template bank the CLI and page tests share: one question of
three types, and the same with one question that has no answer."""

GOOD = """一、单选题
1. 安全帽应当怎样佩戴？
A. 随便戴
B. 系好下颏带
答案：B
解析：不系下颏带，坠落时帽子会脱落。

二、判断题
1. 进入受限空间前必须检测气体。
答案：正确

三、填空题
1. 动火作业前要办理____。
答案：动火作业票|动火证
"""
BAD = GOOD + """
四、单选题
2. 这道题没有答案
A. 甲
B. 乙
"""
