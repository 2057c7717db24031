package assess

import (
	"regexp"
	"strconv"
	"strings"
)

var cnDigit = map[rune]int64{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
var cnUnit = map[rune]int64{'十': 10, '百': 100, '千': 1000, '万': 10000, '亿': 100000000}

// cnNumber reads a number written in Chinese numerals ("三百二十",
// "十八万八千", "一百多" → 100) or in digits ("120", "1.5"); ok is false
// when s holds no number. "几" counts as 5 after a unit (十几 = 15) and as 3
// before one (几十 = 30).
func cnNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f, true
	}
	var total, section, digit, lastUnit int64
	seen, afterUnit := false, false
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case r == '好' && i+1 < len(rs) && rs[i+1] == '几':
			continue // "好几" = 几
		case r == '几':
			if i+1 < len(rs) && cnUnit[rs[i+1]] > 0 {
				digit = 3
			} else {
				digit = 5
			}
			seen = true
		case r >= '0' && r <= '9':
			digit = digit*10 + int64(r-'0')
			seen = true
		default:
			if d, ok := cnDigit[r]; ok {
				// "四五十", "十五六": a range; the upper end counts.
				digit, seen = max(digit, d), true
				if i == 0 || cnDigit[rs[i-1]] == 0 && rs[i-1] != '零' && rs[i-1] != '〇' {
					digit = d
				}
				afterUnit = i > 0 && cnUnit[rs[i-1]] >= 100
				continue
			}
			u, ok := cnUnit[r]
			if !ok {
				return 0, false
			}
			seen, lastUnit, afterUnit = true, u, false
			if u >= 10000 {
				section += digit
				if section == 0 {
					section = 1
				}
				total += section * u
				section, digit = 0, 0
				continue
			}
			if digit == 0 {
				digit = 1 // 十二 = 12
			}
			section += digit * u
			digit = 0
		}
	}
	if !seen {
		return 0, false
	}
	// "一万二" is 12,000 and "三千五" 3,500: a last digit straight after a
	// unit of a hundred or more counts in the next unit down.
	if afterUnit && digit > 0 && lastUnit >= 100 {
		digit *= lastUnit / 10
	}
	return float64(total + section + digit), true
}

const numPat = `([0-9０-９]+(?:\.[0-9]+)?|好?[零〇一二两三四五六七八九十百千万几]+)`

// peopleRe finds counts of people or households: "三十余户", "80多名",
// "十几个村民", "上百户".
var peopleRe = regexp.MustCompile(numPat + `\s*(?:余|多|来)?\s*(?:(?:位|名|户|人|家|号人|口人)` + peopleNoun + `?|个\p{Han}{0,2}?` + peopleNoun + `)`)

const peopleNoun = `(?:人|户|村民|农户|群众|工人|民工|职工|家长|学生|业主|住户|枣农|果农|司机|老人|孩子|娃娃|党员|妇女|妈妈|年轻人|工友|股东|会员)`

// amountRe finds sums of money: "120万元", "一百八十万元", "二十多万元",
// "6000元", "十八万八千元", "1.5万".
var amountRe = regexp.MustCompile(numPat + `\s*(?:余|多|来)?\s*(?:(万)\s*(?:余|多)?\s*(?:元|块)?|(千)\s*(?:多)?\s*(?:元|块)|(?:元|块))`)

// maxPeople is the largest count of people or households in text.
func maxPeople(text string) (n int, match string) {
	text = strings.ReplaceAll(text, "上百", "一百")
	for _, m := range peopleRe.FindAllStringSubmatch(text, -1) {
		v, ok := cnNumber(normDigits(m[1]))
		if !ok {
			continue
		}
		// "两户", "三家" between two parties are not a crowd; "七十六岁"
		// does not match (岁 is not a unit here).
		if int(v) > n {
			n, match = int(v), m[0]
		}
	}
	return n, match
}

// maxAmount is the largest sum of money in text, in yuan.
func maxAmount(text string) (yuan float64, match string) {
	for _, m := range amountRe.FindAllStringSubmatch(text, -1) {
		v, ok := cnNumber(normDigits(m[1]))
		if !ok {
			continue
		}
		switch {
		case m[2] == "万":
			if v < 10000 { // "十八万八千" already holds its 万
				v *= 10000
			}
		case m[3] == "千":
			v *= 1000
		}
		if v > yuan {
			yuan, match = v, m[0]
		}
	}
	return yuan, match
}

func normDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return r - '０' + '0'
		}
		return r
	}, s)
}

// visitRe finds the how-many-th visit: "第三次来访", "第4回", "已经是第五次",
// and how often it was raised: "反映了三四回", "跑了好几趟".
var visitRe = regexp.MustCompile(`(?:第|(?:反映|来|跑|找|去|上访|告)了?)\s*` + numPat + `\s*(?:次|回|趟)`)

// maxVisit is the highest "n-th time" the text mentions (0: none).
func maxVisit(text string) (n int, match string) {
	for _, m := range visitRe.FindAllStringSubmatch(text, -1) {
		if v, ok := cnNumber(normDigits(m[1])); ok && int(v) > n {
			n, match = int(v), m[0]
		}
	}
	return n, match
}

// ageRe finds ages: "八岁的儿子", "14岁".
var ageRe = regexp.MustCompile(numPat + `\s*(?:周)?岁`)

// minorAge is the youngest age under 18 the text mentions (0: none).
func minorAge(text string) (age int, match string) {
	for _, m := range ageRe.FindAllStringSubmatch(text, -1) {
		if v, ok := cnNumber(normDigits(m[1])); ok && v > 0 && v < 18 && (age == 0 || int(v) < age) {
			age, match = int(v), m[0]
		}
	}
	return age, match
}
