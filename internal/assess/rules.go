package assess

// Config is what an administrator edits: a keyword dictionary per category
// and the risk triggers. It is stored as versioned JSON (every edit a new
// version); Default is the first version.
type Config struct {
	Categories []CategoryRule `json:"categories"`
	Triggers   []Trigger      `json:"triggers"`
}

// CategoryRule is a category's keyword dictionary.
type CategoryRule struct {
	Code  string   `json:"code"`
	Words []string `json:"words"`
}

// Trigger is one risk rule. Kind "words": any of Words appears (a word
// "A+B" needs A and B in the same sentence). Kind "people", "amount",
// "visits": the largest count of people or households, sum in yuan, or
// "n-th visit" found in the text (or given in the registration) is at least
// Min. Kind "repeat": a party has been party to at least Min earlier
// matters. Kind "village_red": Min or more red matters in the same village
// in the last 90 days. Kind "minor": the text gives someone's age as under
// 18 ("八岁的儿子").
type Trigger struct {
	Code  string   `json:"code"`
	Name  string   `json:"name"`
	Color string   `json:"color"`
	Kind  string   `json:"kind"`
	Words []string `json:"words,omitempty"`
	Min   float64  `json:"min,omitempty"`
}

// Kinds of trigger.
var TriggerKinds = []string{"words", "people", "amount", "visits", "repeat", "village_red", "minor"}

// Default is the configuration a new centre starts with: the labelling
// guide of docs/ASSESSMENT.md written as rules.
func Default() Config {
	return Config{
		Categories: []CategoryRule{
			{"marriage", []string{"离婚", "彩礼", "赡养", "抚养", "夫妻", "丈夫", "妻子", "婆媳", "媳妇", "家暴", "订婚", "结婚", "悔婚", "老伴", "分居", "探望", "生活费", "子女", "儿女", "照料", "赡养费", "前夫", "前妻", "娘家", "婆婆", "公公", "女婿", "儿媳", "家庭矛盾", "两口子", "过不下去"}},
			{"neighbour", []string{"邻居", "邻里", "隔壁", "楼上", "楼下", "噪音", "滴水", "巷道", "过道", "院墙", "挡光", "采光", "树枝", "散养", "邻家", "两家", "两户", "共用", "通道", "占道", "堆放", "滴水檐", "遮挡", "树冠", "公共通道", "菜窖"}},
			{"land", []string{"承包地", "宅基地", "庄基", "地界", "地畔", "山林", "林地", "退耕还林", "确权", "川地", "坡地", "土地流转", "耕地", "勘界", "二轮承包", "犁地", "地块", "土地承包", "流转", "荒山", "开荒", "淤地坝", "地头", "界石", "界桩", "木桩"}},
			{"labour", []string{"工资", "欠薪", "讨薪", "农民工", "工钱", "劳动合同", "辞退", "开除", "社保", "工伤", "加班", "结工资", "打工", "民工", "员工", "辞职", "养老保险", "缴社保", "干活", "工期", "务工", "包工头", "欠工钱", "雇主", "帮工", "劳务"}},
			{"medical", []string{"医院", "医生", "手术", "诊所", "卫生室", "输液", "误诊", "医疗", "护士", "产检", "分娩", "治疗", "诊断", "病历", "针灸", "卫生院", "医药", "患者", "病人", "术后"}},
			{"property_mgmt", []string{"物业", "物业费", "业主", "电梯", "停车位", "供暖", "暖气", "保安", "维修资金", "小区", "物业公司", "顶楼", "防水", "漏水", "车位", "供热", "楼道"}},
			{"traffic", []string{"交通事故", "相撞", "撞倒", "撞伤", "追尾", "剐蹭", "肇事", "交警", "摩托车", "轿车", "货车", "三轮车", "责任认定", "电动车", "网约车", "面包车", "农用车", "事故", "车祸", "理赔", "驾驶", "开车"}},
			{"consumer", []string{"购买", "商家", "退货", "退款", "网购", "培训机构", "预付卡", "充值", "推销", "保健品", "假货", "售后", "商店", "超市", "店家", "车行", "手机店", "农资店", "种子", "化肥", "网店", "快递", "换货", "卖家", "消费者", "商品"}},
			{"contract", []string{"借款", "借钱", "借条", "欠款", "还款", "担保", "贷款", "银行", "利息", "合同", "租金", "承租", "货款", "集资", "合伙", "散伙", "租赁", "赊", "欠条", "预付", "定金", "订金", "买卖", "二手", "转让", "入股", "借给", "还钱"}},
			{"expropriation", []string{"征地", "征收", "拆迁", "安置", "棚户区", "补偿标准", "征用", "搬迁", "征迁", "补偿协议", "评估", "拆除", "占地补偿", "项目占地", "铁路", "高速"}},
			{"campus", []string{"学校", "学生", "老师", "班主任", "校园", "霸凌", "欺负", "校车", "幼儿园", "中学", "小学", "宿舍", "同学", "班级", "上学", "教室", "体育课", "校方"}},
			{"environment", []string{"污染", "排污", "废水", "扬尘", "粉尘", "臭味", "异味", "养殖场", "猪场", "洗煤厂", "垃圾", "环保", "油烟", "噪声", "废机油", "粪", "气味", "排放", "石料厂", "冒烟", "灰尘", "水源", "井水"}},
			{"construction", []string{"工程款", "施工", "开发商", "承建", "发包", "验收", "建筑公司", "包工包料", "装修", "工程质量", "施工队", "工程队", "自建房", "砌", "盖房", "建房", "裂缝", "墙体", "返工", "尾款", "硬化", "工程"}},
			{"inheritance", []string{"继承", "遗产", "遗嘱", "去世", "过世", "父母留下", "分家", "老宅", "遗留", "遗物", "房产", "分割", "兄弟姐妹", "继承人"}},
			{"damage", []string{"赔偿", "咬伤", "狗咬", "摔伤", "损坏", "庄稼", "糟蹋", "烧毁", "医药费", "砸坏", "砸伤", "滑倒", "摔断", "火烧", "烧死", "损失", "撞坏", "误工费", "医疗费"}},
			{"village_affairs", []string{"村委会", "村集体", "分红", "集体收入", "账目", "村干部", "换届", "选举", "村务公开", "机动地", "村民小组", "集体经济", "村上", "组上", "村民代表", "公示", "集体林", "集体土地", "补贴", "扶贫", "村账", "账务"}},
			{"petition", []string{"低保", "养老金", "待遇", "认定", "评定", "上访", "补助", "退役", "烈士", "复核", "医保", "作风", "政府", "部门", "工作人员", "态度", "窗口", "办事", "政策", "申请", "评议", "社保部门", "户籍", "证明"}},
			{"other", []string{"风水", "祖坟", "名誉", "道歉", "微信群", "捡到", "走失", "礼金", "庙会", "宗族"}},
		},
		Triggers: []Trigger{
			{Code: "threat", Name: "扬言伤人、报复或持械", Color: "red", Kind: "words", Words: []string{
				"杀了", "杀人", "砍死", "弄死", "捅死", "同归于尽", "报复", "拿刀", "持刀", "揣着刀", "带着刀", "杀猪刀", "菜刀", "砍刀", "炸药", "炸了",
				"汽油", "煤气罐", "液化气罐", "拼命", "拼了", "要他的命", "要了他的命", "打死", "打断", "放火", "烧了", "点了他", "见个高低", "没完", "偿命", "抵命", "命抵", "刀子", "出人命", "你死我活", "放血", "废了", "一把火", "给点了", "柴油"}},
			{Code: "self_harm", Name: "扬言自杀、自伤", Color: "red", Kind: "words", Words: []string{
				"自杀", "跳楼", "跳河", "跳下去", "喝农药", "喝药", "服毒", "上吊", "寻死", "轻生", "不想活", "活着没意思", "遗书", "割腕", "爬上楼顶", "站在楼顶", "塔吊", "寻短见", "农药+喝", "药喝了", "死给", "一了百了", "农药+下去", "活着+意思", "不活了"}},
			{Code: "death", Name: "有人死亡或生命垂危", Color: "red", Kind: "words", Words: []string{
				"死亡", "身亡", "溺亡", "抢救无效", "停尸", "抬尸", "遗体", "尸体", "重症监护", "ICU", "脱离危险", "病危", "抢救", "脑瘫", "没醒过来", "火化", "停在+门口"}},
			{Code: "gathering", Name: "聚集、堵路、围堵或集体上访", Color: "red", Kind: "words", Words: []string{
				"围堵", "堵了", "堵住", "堵路", "堵门", "拦路", "拦车", "围攻", "静坐", "横幅", "集体上访", "进京", "去北京", "去省里", "去省城",
				"包车+上访", "包车+去市里", "围了", "挡着+施工", "聚集", "上北京", "到北京", "进北京", "到省城", "上省城", "结伴上"}},
			{Code: "fundraising", Name: "非法集资、吸收公众资金", Color: "red", Kind: "words", Words: []string{"非法集资", "吸收资金", "集资", "高息"}},
			{Code: "crowd_large", Name: "涉及30人（户）以上", Color: "red", Kind: "people", Min: 30},
			{Code: "sum_large", Name: "涉及金额100万元以上", Color: "red", Kind: "amount", Min: 1000000},
			{Code: "village_red", Name: "同村近90天内有红色矛盾", Color: "yellow", Kind: "village_red", Min: 1},
			{Code: "fight", Name: "已发生肢体冲突", Color: "yellow", Kind: "words", Words: []string{
				"打架", "打了一架", "动手", "互殴", "打伤", "殴打", "打青", "骨折", "推搡", "厮打", "扭打", "打起来", "打了起来", "砸了", "动了手", "挨打", "几拳", "拳打脚踢", "敲了", "打破", "头破血流", "流血", "撕打", "撕扯", "抡起", "打在一起", "推了我", "搡", "磕破"}},
			{Code: "escalate", Name: "扬言闹大、上访或找媒体", Color: "yellow", Kind: "words", Words: []string{
				"扬言", "闹大", "上访", "越级", "找媒体", "曝光", "电视台", "记者", "去市里告", "去省里告", "不解决就", "讨个说法", "网上发", "信访局", "信访", "市里反映", "省上反映", "去市里", "抖音", "发视频", "上网", "会出事", "放出话", "放话", "网上", "省里", "撂下话"}},
			{Code: "vulnerable", Name: "涉及弱势群体", Color: "yellow", Kind: "words", Words: []string{
				"独居", "孤寡", "一人住", "独自住", "一个人住", "残疾", "瘫痪", "未成年", "怀孕", "孕妇", "精神病", "精神疾病", "精神异常", "癌", "重病",
				"大病", "五保户", "留守儿童", "孤儿", "智力障碍", "心脏病", "病重", "患严重", "卧床", "生活不能自理", "轮椅", "精神状况", "精神不正常", "疯", "孤身", "孤老", "独自", "一个人过", "一个人在", "瘫", "聋", "哑", "盲人", "看不清", "肺气肿", "怀着",
				"孩子+伤", "孩子+欺负", "孩子+打", "孩子+咬", "孩子+断", "娃娃+伤", "娃娃+断", "娃娃+打", "娃+摔", "儿童+伤", "学生+伤", "学生+打", "学生+欺负", "少年", "小孩+伤", "娃娃+中毒", "孩子+中毒", "学生+中毒"}},
			{Code: "minor", Name: "涉及未成年人", Color: "yellow", Kind: "minor"},
			{Code: "crowd_mid", Name: "涉及10至29人（户）", Color: "yellow", Kind: "people", Min: 10},
			{Code: "sum_mid", Name: "涉及金额10万元以上", Color: "yellow", Kind: "amount", Min: 100000},
			{Code: "visits_3", Name: "第三次及以上来访", Color: "yellow", Kind: "visits", Min: 3},
			{Code: "repeat_parties", Name: "当事人两次以上涉及矛盾纠纷", Color: "yellow", Kind: "repeat", Min: 2},
			{Code: "emotion", Name: "情绪激动或纠纷长期未解", Color: "blue", Kind: "words", Words: []string{
				"情绪激动", "情绪失控", "激动", "争吵", "吵闹", "吵了", "吵起来", "吵一回", "大骂", "谩骂", "骂", "多年", "积怨", "长期", "好些年", "好几年", "几年了",
				"几年下来", "一直未", "至今未", "好多次", "多次", "气头上", "气得", "声音很大", "拍了桌子", "不想跟", "三回"}},
			{Code: "crowd_small", Name: "涉及3至9人（户）", Color: "blue", Kind: "people", Min: 3},
			{Code: "sum_small", Name: "涉及金额1万元以上", Color: "blue", Kind: "amount", Min: 10000},
			{Code: "visits_2", Name: "第二次来访", Color: "blue", Kind: "visits", Min: 2},
			{Code: "repeat_once", Name: "当事人曾涉及矛盾纠纷", Color: "blue", Kind: "repeat", Min: 1},
		},
	}
}
