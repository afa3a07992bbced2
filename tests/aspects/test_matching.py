"""Golden tables: which aspects a review mentions and with what polarity (rules only, no scorer)."""

from __future__ import annotations

import pytest

from nlp.aspects.clauses import analyse
from nlp.aspects.matcher import CUE

GOLDEN = [
    # the examples the product brief starts from
    ("lodging", "위치는 좋은데 방음이 전혀 안돼요", {("location", "positive"), ("noise", "negative")}),
    ("lodging", "방음이 전혀안됩니다 수영장 완전 작아요 호텔 위치는 좋아요", {("noise", "negative"), ("amenities", "negative"), ("location", "positive")}),
    ("lodging", "모든 면에서 다 좋았으나 체크인 시 시간이 너무 오래 걸림", {("checkin", "negative")}),
    ("lodging", "엘베가 하나라 오래 기다림", {("amenities", "negative")}),  # a shared facility; waiting long is a complaint
    ("lodging", "주차공간이 협소해요", {("parking", "negative")}),  # 협소하다 faults; 공간 inside 주차 공간 is no room mention
    ("lodging", "조식 가짓수가 적어요", {("breakfast", "negative")}),
    ("lodging", "침구가 보송보송해요", {("cleanliness", "positive")}),
    ("lodging", "주차장이 넓어요", {("parking", "positive")}),  # a size word describes the noun it follows
    ("lodging", "방이 넓어요", {("room", "positive")}),
    ("lodging", "넓고 깨끗해요", {("room", "positive"), ("cleanliness", "positive")}),
    ("lodging", "넷플릭스 돼서 좋았어요", {("amenities", "positive")}),
    ("cosmetics", "향이 안 세서 좋아요", {("scent", "positive")}),  # the 안 belongs to 쓰다, between the words of 향 좋다
    ("cosmetics", "향이 안 좋아요", {("scent", "negative")}),
    ("cosmetics", "요즘처럼 날씨가 건조할 때 세안 후 바르면 좋아요", set()),  # the weather is dry, not the product
    ("cosmetics", "바르고 나면 건조해요", {("moisture", "negative")}),
    # a clause about another product says nothing of this one; a comparison or another dish of the same shop does
    ("cosmetics", "타사 제품은 자극이 있었어요", set()),
    ("cosmetics", "다른 선크림은 따끔거리는데 이건 괜찮아요", set()),
    ("cosmetics", "피부가 예민해서 딴거 바르면 뒤집어져요", set()),  # 딴 거, 다른꺼, 다른구: spoken forms of 다른 거
    ("cosmetics", "다른꺼 쓰면 피부가 뒤집어져요", set()),
    ("cosmetics", "바르면 시원하고 향도 시원해서 좋아요", {("effect", "positive"), ("scent", "positive")}),
    ("cosmetics", "시원한 향이 좋아요", {("scent", "positive")}),  # a cool scent is the scent, not a cooling effect
    ("cosmetics", "건조한 입술에 딱이에요", {("moisture", "positive")}),  # whom it suits
    ("cosmetics", "가려워하는 편이었는데 이건 괜찮아요", set()),  # the writer's skin, not the product
    ("cosmetics", "요즘 좀 기름진 것 같아서 구매해봤어요", set()),  # why the writer bought it
    ("cosmetics", "바르면 너무 건조해서 속상해요", {("moisture", "negative")}),
    ("cosmetics", "이걸 안 바르면 얼굴이 땡겨요", {("moisture", "positive")}),  # the fault is what happens without it
    ("cosmetics", "바르고 나면 얼굴이 땡겨요", {("moisture", "negative")}),
    ("cosmetics", "여드름 날 것 같을 때 사용하면 정말 좋아요", {("irritation", "positive")}),  # when it is used
    ("cosmetics", "촉촉하게 잘 잡아줘요", {("moisture", "positive"), ("effect", "positive")}),  # held in, not kept down
    ("cosmetics", "스크럽을 자주 해서 피부 장벽이 무너졌었는데 이 크림 바르고 촉촉해졌어요", {("effect", "positive"), ("moisture", "positive")}),  # the writer's skin before: no effect complaint
    ("food", "다른 집보다 맛있어요", {("taste", "positive")}),
    ("food", "다른 메뉴는 맛있었어요", {("taste", "positive")}),
    ("cosmetics", "할인 안 할 때 사서 아쉬움", {("price", "negative")}),  # 아쉬움 read as a noun is an opinion word too
    ("food", "이렇게 맛없을 수가 없네요", {("taste", "negative")}),  # -ㄹ 수 없다: what could be, emphatic, no negation
    ("food", "이렇게 맛있을 수가 없어요", {("taste", "positive")}),
    ("food", "양 맛 부족한게 하나도 없어요", {("quantity", "positive"), ("taste", "positive")}),
    ("food", "태어나서 이런 맛은 없었어요", set()),  # never such a taste: no tasteless food
    ("food", "사장님 메모에 빵터졌네요 ㅋㅋ", set()),  # burst out laughing, no burst packaging
    ("food", "좋은 후기가 넘쳐나길래 믿고 시켰어요", set()),
    ("food", "지금 퀄리티 계속 유지해 주세요", {("taste", "positive")}),  # a request to keep it: praise
    ("food", "양 좀 늘려주세요", {("quantity", "negative")}),
    ("food", "여름이 기다려집니다", set()),
    ("food", "파리바게트 직원분이 친절하네요", {("service", "positive")}),  # a bakery's name, not a fly
    ("food", "음식에 파리가 있었어요", {("hygiene", "negative")}),
    ("food", "한동안 이 집 족발에 빠져 살 듯", set()),
    ("food", "센스 넘치는 사장님", {("service", "positive")}),
    ("food", "양 부족한게 1도 없어요", {("quantity", "positive")}),  # 1도: slang for 하나도
    ("food", "기다린 보람이 있어요", {("waiting", "positive")}),  # the wait was worth it
    ("food", "기다림이 전혀 아깝지 않았어요", {("waiting", "positive")}),
    ("food", "밤새서라도 먹을 만한 집이에요", set()),  # 밤새다 (all night), not a leak
    ("food", "여기보다 맛있는 돈가스는 없어요", {("taste", "positive")}),  # a superlative, not a negation
    ("food", "바삭한 맛이 없어요", {("taste", "negative")}),
    ("food", "주말에 날 새고 먹었어요", set()),
    ("food", "국물이 새서 왔어요", {("packaging", "negative"), ("taste", "negative")}),
    ("shopping", "손이 작은 편인데 한 손에 쏙 들어와요", set()),  # the writer's hand, not the size
    ("shopping", "사이즈가 너무 작아요", {("size", "negative")}),
    ("shopping", "싼티가 많이 나요", {("quality", "negative")}),  # looks cheap: no price praise
    ("shopping", "하루만에 고장났습니다.", {("quality", "negative")}),  # 하루 만에 is a delivery's speed only with arriving
    ("shopping", "하루만에 도착했어요", {("delivery", "positive")}),
    ("shopping", "튼튼해 보이지 않아요", {("quality", "negative"), ("durability", "negative")}),
    ("shopping", "쉽게 부서집니다", {("durability", "negative")}),
    ("shopping", "포장에 신경 쓰셨음 좋겠네요", {("packaging", "negative"), ("service", "negative")}),  # -었음 좋겠다: a wish
    ("shopping", "큰효과는 없었어요", set()),
    # size words are neither praise nor fault alone: the clause decides
    ("shopping", "크기가 커서 사용하기 편해요", {("size", "positive"), ("usability", "positive")}),
    ("shopping", "사이즈가 작아서 아담해요", {("size", "positive")}),
    ("shopping", "너무 작아요", {("size", "negative")}),
    ("shopping", "잘 크고 있어요", set()),  # grows
    ("app", "문제 해결을 못 해줘요", {("support", "negative"), ("bugs", "negative")}),  # 못 before the light verb 하다 of 해결(해) 주다
    ("app", "오류 메시지 안 뜨게 좀", {("bugs", "negative")}),  # -게 좀: a request that trails off
    ("app", "편리해진 게 하나도 없네요", {("usability", "negative")}),  # becoming (지다), then the negation
    ("food", "맛있기는커녕 짜기만 해요", {("taste", "negative")}),  # -기는커녕: far from it
    ("food", "비린내 1도 안 나요", {("taste", "positive")}),  # a smell that does not occur
    ("food", "치킨이 바삭은 커녕 심각하게 눅눅해요", {("taste", "negative")}),
    ("food", "처음엔 음식이 잘못 온 줄 알았어요", {("service", "neutral")}),  # what the writer wrongly thought
    ("food", "음식이 잘못 왔어요", {("service", "negative")}),
    ("cosmetics", "촉촉함이 금방 사라져요", {("moisture", "negative")}),  # 사라지다 after praise: it is gone
    ("cosmetics", "쓰고 나서 두피 간지러웠던 게 많이 줄었어요", {("irritation", "positive")}),  # a complaint reduced
    ("cosmetics", "촉촉함이 줄었어요", {("moisture", "negative")}),
    ("cosmetics", "세수하고 나도 땡기는 게 별로 없어요", {("moisture", "positive")}),
    ("cosmetics", "내용물이 흘러요", {("packaging", "negative")}),
    ("cosmetics", "아침에 윤기가 좔좔 흘러요", set()),  # flowing shine, no leak
    ("cosmetics", "병이 깨지거나 터지지는 않았어요", {("packaging", "positive")}),  # the negation covers both words of -거나
    ("cosmetics", "이것만큼 효과 좋은 토너는 없어요", {("effect", "positive")}),  # a superlative with 만큼
    ("cosmetics", "미스트로 건조함을 달래요", {("moisture", "positive")}),  # dryness soothed
    ("shopping", "기어가 헛돌면서 틱틱 소리가 나서 경악", {("quality", "negative")}),
    # the labelling guide's examples
    ("food", "배달 빠르고 맛있어요 또 시킬게요", {("delivery", "positive"), ("taste", "positive")}),
    ("app", "업데이트 후 로그인이 안돼요", {("update", "negative"), ("login", "negative"), ("bugs", "negative")}),
    ("cosmetics", "순하고 촉촉해서 좋아요 근데 향이 좀 강해요", {("irritation", "positive"), ("moisture", "positive"), ("scent", "negative")}),
    ("food", "맛은 있는데 좀 짜요", {("taste", "neutral")}),
    # a contrast later in the review, with no other aspect in between, still turns against the taste
    ("food", "맛은 있었어요 오늘 처음 주문했는데 솔직히 실망이에요", {("taste", "neutral")}),
    # ... but not across a clause that names another aspect
    ("food", "국물이 진하고 맛있었어요 그리고 사장님이 서비스도 주셨는데 배달이 너무 늦었어요", {("taste", "positive"), ("service", "positive"), ("delivery", "negative")}),
    ("food", "양이 조금 더 많았으면 좋겠어요", {("quantity", "negative")}),
    ("food", "식어서 왔어요", {("delivery", "negative")}),
    ("food", "30분만에 왔어요", {("delivery", "positive")}),
    # generic praise names no aspect
    ("food", "좋아요", set()),
    ("food", "잘 먹었습니다", set()),
    # spacing variants and inflection
    ("food", "배달빠르고 맛있어요", {("delivery", "positive"), ("taste", "positive")}),
    ("food", "배달이빨라서 좋아요", {("delivery", "positive")}),
    ("app", "앱이 자꾸 튕겨요", {("bugs", "negative")}),
    ("app", "튕김이 심해요", {("bugs", "negative")}),
    ("cosmetics", "끈적여요", {("texture", "negative")}),
    ("lodging", "스태프가 불친절해요", {("staff", "negative")}),
    ("lodging", "프론트 직원 불친절", {("staff", "negative")}),
    # negation
    ("food", "맛이 없어요", {("taste", "negative")}),
    ("food", "안 맛있어요", {("taste", "negative")}),
    ("food", "맛있지는 않아요", {("taste", "negative")}),
    ("food", "맛이 나쁘지 않아요", {("taste", "positive")}),
    ("app", "오류가 전혀 없어요", {("bugs", "positive")}),
    ("cosmetics", "끈적임 없이 촉촉해요", {("texture", "positive"), ("moisture", "positive")}),
    # contrast: one review, opposite opinions
    ("shopping", "배송은 빠른데 포장이 엉망이에요", {("delivery", "positive"), ("packaging", "negative")}),
    ("shopping", "가격은 싼데 품질이 별로예요", {("price", "positive"), ("quality", "negative")}),
    ("film", "연기는 좋은데 스토리가 지루해요", {("acting", "positive"), ("story", "negative")}),
    ("app", "광고가 너무 많아요", {("ads", "negative")}),
    # middling verdicts: judged, neither praised nor faulted
    ("food", "맛은 쏘쏘해요", {("taste", "neutral")}),
    ("food", "맛도 그냥저냥이에요", {("taste", "neutral")}),
    ("food", "맛과 양은 보통이었는데 배달이 늦었어요", {("taste", "neutral"), ("quantity", "neutral"), ("delivery", "negative")}),
    ("food", "맛은 보통인데 양이 많아요", {("taste", "neutral"), ("quantity", "positive")}),
    ("food", "보통은 배달이 빨라요", {("delivery", "positive")}),  # 보통은 = usually
    ("food", "맛은 보통인데 정말 최고예요", {("taste", "positive")}),  # another opinion word in the clause speaks first
    ("food", "머리카락이 나왔어요", {("hygiene", "negative")}),
    # seeds as Kiwi reads them: the verb 새다 (leak), not the noun 새 or the determiner 새 (new)
    ("food", "봉지가 다 샜어요", {("packaging", "negative")}),
    ("food", "매일 새 기름으로 튀겨요", set()),
    # nouns that are also bound nouns: 줄 (queue) is not "-ㄹ 줄 몰랐다", 간 (seasoning) is not "이틀간"
    ("food", "이렇게 맛있을 줄 몰랐어요", {("taste", "positive")}),
    ("food", "줄이 너무 길어요", {("waiting", "negative")}),
    ("food", "이틀간 나눠 먹었어요", set()),
    ("lodging", "모든 게 한방에 해결됐어요", set()),
    ("shopping", "딱 좋아요", set()),
    # a tag holds for a seed matched as written too: 위로/NNG is comfort, not the end of 이따위로
    ("books", "왜 이따위로 만들었나요", set()),
    # 로켓배송 is one noun to Kiwi, and 빠르게 왔어요 is 빠르다 + 오다
    ("cosmetics", "로켓배송으로 빠르게 왔어요", {("delivery", "positive")}),
    # a request to improve something is no opinion of the app's updates
    ("app", "그 점만 개선되면 좋겠어요", set()),
    ("books", "큰 위로가 됐어요", {("usefulness", "positive")}),
    # a wish that trails off (Kiwi reads -었으면 as a final ending), a colloquial 바래요, and 보진 못했다
    ("food", "음식은 너무 맛있어요!!배달만 조금 빨랐으면..", {("taste", "positive"), ("delivery", "negative")}),
    ("food", "서비스 좀 더 신경써 주시길 바래요", {("service", "negative")}),
    ("cosmetics", "저는 큰 효과를 보진 못했습니다.", {("effect", "negative")}),
    ("cosmetics", "효과를 확실히 봤어요", {("effect", "positive")}),
    # the negation across a noun (바삭한 맛이 없다) needs the word to modify that noun: -어서 does not
    ("food", "너무 퍽퍽해서 맛이없어요.", {("taste", "negative")}),
    ("food", "바삭한 맛이 없어요", {("taste", "negative")}),
    # 소리 after a quoting ending is what people say, not a sound
    ("lodging", "피부가 부드럽다는 소리 진심 많이 들었어요", set()),
    ("lodging", "깨끗하단 소리 들을 만해요", {("cleanliness", "positive")}),
    ("lodging", "옆방 소리가 다 들려요", {("noise", "negative")}),
    # an opinion someone else gave (좋다고 해서, 맛있다는 리뷰, 친절하다길래) is not the writer's: the aspect is named, not judged
    ("cosmetics", "발림성 좋다고 해서 구매했어요", {("texture", "neutral")}),
    ("cosmetics", "촉촉하다해서 샀어요", {("moisture", "neutral")}),
    ("food", "맛있다는 리뷰 보고 시켰어요", {("taste", "neutral")}),
    ("lodging", "직원이 친절하다길래 예약했어요", {("staff", "neutral")}),
    # ... and the writer's own word in the clause still speaks
    ("food", "맛있다길래 시켰는데 정말 맛있어요", {("taste", "positive")}),
    # an update that does not go through is a complaint, not "no complaint after the update"
    ("app", "업데이트도안되고", {("update", "negative"), ("bugs", "negative")}),
    # a request with an honorific before its ending is still a request
    ("app", "빨리 고쳐주셔요", {("bugs", "negative")}),
    # a complaint that holds its own negation is said twice, not turned round: 인식을 못해요 … 안되요
    ("app", "얼굴등록(인식을 못해요)이 안되요", {("login", "negative"), ("bugs", "negative")}),
    # a root written onto a noun names a feature (간편인증), not ease of use
    ("app", "간편인증 오류 납니다", {("login", "negative"), ("bugs", "negative")}),
    ("app", "이체가 간편해요", {("usability", "positive")}),
    # -어 주시면 좋을 것 같다 asks the maker for something; -면 좋을 것 같다 alone may be a tip
    ("app", "다크모드 기능을 추가해 주시면 좋을 것 같아요", {("usability", "negative")}),
    # a check-out that comes too early is a complaint, not a quick check-in
    ("lodging", "퇴실 시간이 너무 빨라요", {("checkin", "negative")}),
    ("lodging", "바닥이 끈적거려요", {("cleanliness", "negative")}),
    # after a contrast, "the rest" is about everything else: it does not turn the aspect just named
    ("food", "배달은 좀 느렸지만 나머지는 만족", {("delivery", "negative")}),
    ("food", "배달은 좀 느렸지만 다른 건 다 좋아요", {("delivery", "negative")}),
    # words that look like a complaint inside an idiom: 배터지게 (stuffed), 인심이 넘치다, 어마무시 (tremendous)
    ("food", "양이많아서 배터지게먹었어요", {("quantity", "positive")}),
    ("food", "인심이 넘치는 곳이네요", set()),  # no leaking packaging
    ("cosmetics", "물처럼 흐르는 가벼운 제형이에요", {("texture", "positive")}),
    # "X이 있진 않다" says X is not there, as X 없다
    ("cosmetics", "속당김이 있진 않아요", {("moisture", "positive")}),
    # not worth it: a complaint negated across a noun of degree or worth stays a complaint
    ("food", "종일 웨이팅할만큼은 아니네요", {("waiting", "negative")}),
    ("food", "돈까스는 진짜 기다릴 필요성이없는 맛이에요", {("waiting", "negative"), ("taste", "negative")}),
    ("food", "웨이팅 없어서 좋아요", {("waiting", "positive")}),
    # -어 주시지 reproaches; 더럽게 before a predicate intensifies
    ("food", "숟가락좀 챙겨주시지..", {("service", "negative")}),
    ("food", "맛은더럽게없고", {("taste", "negative")}),
    # dry skin is the writer's skin type, not a drying product
    ("cosmetics", "건조한 피부에 좋아요", {("moisture", "positive")}),
    ("cosmetics", "바르면 건조해요", {("moisture", "negative")}),
    # how it should be is a wish; "you must try it" is not
    ("app", "좀더 편리해야하는데", {("usability", "negative")}),
    ("app", "꼭 써봐야 해요 편해요", {("usability", "positive")}),
    ("food", "날치알이 톡톡터지는게 맛있어요", {("taste", "positive")}),  # bursting roe, not leaking packaging
    # app complaints said in ways the seeds lacked: slang 개불편, 인식률, 랙 (for 렉), 안 들어가다, 지원 안 해주다
    ("app", "인식률 너무낮음", {("bugs", "negative")}),
    ("app", "겔텝인데요 아에안들어가져요", {("bugs", "negative")}),
    ("app", "태블릿 지원을 안해준다니", {("usability", "negative")}),
    # the writer's taste is no verdict on the product
    ("food", "느끼한거 싫어하는데 여기는 하나도 안 느끼해요", {("taste", "positive")}),
    # 맛(이) 있다 holds an adverb, not a noun; ordering in (배달시켜 먹는) is not the delivery
    ("food", "맛이 정말 있어요", {("taste", "positive")}),
    ("food", "맛은 동네에있는 집이 나아요", set()),
    ("food", "배달시켜먹는 돈가스가 더 맛있었어요", {("taste", "positive")}),
    # 덜하다 lessens a complaint, 잡다 keeps it in check, 없이 after an adnominal + noun negates
    ("cosmetics", "가려움이 덜합니다", {("irritation", "positive")}),
    ("cosmetics", "번들거림도 잡아줘서 좋아요", {("moisture", "positive"), ("effect", "positive")}),
    ("cosmetics", "잡티를 잘 안 잡아줘요", {("effect", "negative")}),  # a seed holding 잡다 is still negated before it
    ("food", "찌그러진 부분없이 안전하게 잘 왔어요", {("packaging", "positive")}),
    ("shopping", "긴말필요없죠", set()),
    ("app", "오류 해결을 좀 해주십쇼", {("bugs", "negative"), ("support", "negative")}),
    # an ordered item that did not come is a service fault; an order not yet come is a late delivery; never again is neither
    ("food", "주문한 사이다가 안 왔네요", {("service", "negative")}),
    ("food", "만두 두 개 시켰는데 하나밖에 안 왔어요", {("service", "negative")}),
    ("food", "주문한 지 두 시간째 안 와요", {("delivery", "negative")}),
    ("food", "아직도 치킨이 안 오고 있어요", {("delivery", "negative")}),
    ("food", "여기는 다시는 안 올 것 같아요", set()),
    # a mist's spray is its container's work; generous or short helpings without the word 양
    ("cosmetics", "분사력이 엉망이네요", {("packaging", "negative")}),
    ("food", "새우를 많이 넣어 주셨어요", {("quantity", "positive")}),
    ("food", "소스가 부족해서 아쉬웠어요", {("quantity", "negative")}),
    ("food", "조금 부족한 맛이에요", {("taste", "negative")}),
    # indispensable and ending up not using it are no malfunction; a defect is
    ("app", "이제 없어서는 안 될 앱이에요", set()),
    ("app", "요즘은 점점 안 하게 되네요", set()),
    ("app", "작동 불량이 너무 잦아요", {("bugs", "negative")}),
    # a wish with an adverb before 좋겠다, and a change wished for in a conditional; advice to try is no wish
    ("app", "메모 기능이 가능하면 더욱 좋겠어요", {("usability", "negative")}),
    ("app", "이 오류가 수정된다면 다들 편하게 쓸 거라 생각해요", {("bugs", "negative"), ("usability", "negative")}),
    ("app", "검색 기능이 있다면 훨씬 편할 텐데요", {("usability", "negative")}),
    # 안 inside (30분 안에) is no negation; few of a fault is praise; "anything like it" and joined nouns share 없다
    ("food", "주문하고 30분 안에 왔어요", set()),
    ("app", "오류가 적어서 좋아요", {("bugs", "positive")}),
    ("cosmetics", "따가움 같은 거 하나도 없어요", {("irritation", "positive")}),
    ("cosmetics", "따가움이나 트러블 같은 건 일절 없었어요", {("irritation", "positive")}),
    ("food", "파손이나 찌그러진 곳 없이 왔어요", {("packaging", "positive")}),
    # a fear before buying is no verdict
    ("cosmetics", "건조할까 봐 걱정했는데 촉촉해요", {("moisture", "positive")}),
    # breakouts that came up, or did not
    ("cosmetics", "바르고 나서 뾰루지가 잔뜩 올라왔어요", {("irritation", "negative")}),
    ("cosmetics", "좁쌀이 하나도 안 생겼어요", {("irritation", "positive")}),
    # the rider's manner is the delivery's, the owner's the service's
    ("food", "배달하시는 분도 정말 친절하셨어요", {("delivery", "positive")}),
    ("food", "기사님이 너무 불친절해요", {("delivery", "negative")}),
    ("food", "사장님이 불친절해요", {("service", "negative")}),
    # so crisp that it is hard; a request to take care; a blessing; a cut of chicken
    ("food", "튀김이 바삭하다 못해 딱딱했어요", {("taste", "negative")}),
    ("food", "사장님 신경 좀 쓰셔야 할 것 같아요", {("service", "negative")}),
    ("food", "양도 넉넉하고 사장님 번창하시길 바랍니다", {("quantity", "positive")}),
    ("food", "퍽퍽살인데도 촉촉해요", {("taste", "positive")}),
    # the writer's previous unit is another product; a comparison with it is about this one
    ("shopping", "쓰던 마우스가 고장나서 급히 샀어요", set()),
    ("shopping", "기존 제품보다 튼튼해요", {("durability", "positive"), ("quality", "positive")}),
    ("cosmetics", "원래 쓰던 크림은 건조했는데 이건 촉촉해요", {("moisture", "positive")}),
    # an update that installs well; another service named as a whole; a title holding 버그
    ("app", "업데이트도 잘 돼요", {("update", "positive")}),
    ("app", "다른 스트리밍 서비스는 쓰기 불편하고", set()),
    ("app", "레이디 버그 정주행 중이에요", set()),
    # a request in slang; a question that asserts
    ("app", "화면 좀 보기 쉽게 만들어주셈", {("usability", "negative")}),
    ("app", "광고 너무 많은 거 아닌가요?", {("ads", "negative")}),
    ("app", "광고가 많은 건 아니에요", {("ads", "positive")}),
    # 싸게 is not the tail of 비싸게; rather than moist
    ("cosmetics", "정품이라 조금 비싸게 샀어요", {("price", "negative")}),
    ("cosmetics", "촉촉하다 보다는 그냥 겉도는 느낌이에요", {("moisture", "negative"), ("texture", "negative")}),
    # what the seller should do; praise doubted; a hope that it lasts
    ("food", "사장님 신경 쓰셔야겠어요", {("service", "negative")}),
    ("food", "솔직히 맛있는지도 모르겠어요", {("taste", "negative")}),
    ("shopping", "이 마우스 오래 쓸 수 있으면 좋겠네요", {("durability", "neutral")}),
    # no queue (없이 is an adverb to Kiwi), seated within minutes or after hours
    ("food", "주말인데도 웨이팅 없이 앉았어요", {("waiting", "positive")}),
    ("food", "대기 10분 만에 들어갔어요", {("waiting", "positive")}),
    ("food", "세 시간 만에 입장했네요", {("waiting", "negative")}),
]


@pytest.mark.parametrize(("domain", "text", "expected"), GOLDEN)
def test_golden(rules_extractor, domain, text, expected):
    rows = rules_extractor.predict(text, domain=domain)
    assert {(r["aspect"], r["polarity"]) for r in rows} == expected


@pytest.mark.parametrize(("domain", "text", "_"), GOLDEN)
def test_prefilter_never_hides_a_match(rules_extractor, domain, text, _):
    """The character test that skips Kiwi may pass reviews without seeds, but never drop one with a seed.

    With a named domain cue words are not looked for (a review holding only a cue gives no row); with
    ``cues`` they are.
    """
    index = rules_extractor.index_
    found = index.find(analyse(text), [domain])
    if any(m.aspect != CUE for m in found):
        assert index.may_match(text, [domain])
    if found:
        assert index.may_match(text, [domain], cues=True)


@pytest.mark.parametrize(
    ("domain", "text"),
    [
        ("app", "업데이트 후 기능이 사라졌어요"),  # 사라지다 read alone is tagged a noun; the review has the verb
        ("app", "메뉴가 사라짐"),
        ("shopping", "색이 이뻐요"),  # 이쁘다: the last syllable inflects (이뻐, 이쁜)
        ("shopping", "생각보다 가벼워요"),  # ㅂ-irregular
        ("cosmetics", "하얗게 떠요"),
        ("lodging", "옆방 소리가 다 들려요"),
        ("film", "3D로 봤는데 눈이 아파요"),
        ("film", "뭐 하자고 만든 영홥니까"),  # 영화 with a contracted 입니까 (a cue: looked for with cues)
    ],
)
def test_prefilter_passes_inflected_forms(rules_extractor, domain, text):
    index = rules_extractor.index_
    found = index.find(analyse(text), [domain])
    assert found, "the example should hold a seed"
    assert index.may_match(text, [domain], cues=all(m.aspect == CUE for m in found))  # cues only looked for where only a cue is found


def test_prefilter_needs_every_word_of_a_pattern(rules_extractor):
    """A pattern matches only where each of its words does: 다 alone (다 있다, 다 들리다, 다 식다) or 걸어서
    without 가다 lets no review through, while the whole pattern does."""
    index = rules_extractor.index_
    for text in ["다 왔어요", "다 봤어요", "걸어서 왔어요"]:
        assert not index.find(analyse(text), index.domains)
        assert not any(index.may_match(text, [d]) for d in index.domains), text
    assert index.may_match("필요한 건 다 있어요", ["lodging"]) and index.may_match("역에서 걸어서 가기 좋아요", ["lodging"])


def test_prefilter_skips_numeric_names(rules_extractor):
    """A product id of digits cannot name a domain: 3D and 1박 are found by their non-digit word, not by any digit."""
    index = rules_extractor.index_
    assert not any(index.may_match(name, index.domains, True) for name in ["10001", "92575", "2013-11-03", "1 3"])
    assert index.may_match("1박 2일 묵었어요", ["lodging"], True)


@pytest.mark.parametrize(
    ("text", "clauses"),
    [
        ("위치는 좋은데 방음이 전혀 안돼요", ["위치는 좋은데", "방음이 전혀 안돼요"]),
        ("맛있었지만 양이 적어요", ["맛있었지만", "양이 적어요"]),
        ("배송 빠르고 포장도 꼼꼼해요", ["배송 빠르고", "포장도 꼼꼼해요"]),
        ("먹고 싶어서 시켰어요", ["먹고 싶어서 시켰어요"]),  # -고 before an auxiliary does not cut
        ("기어가 헛돌면서 틱틱 소리가 나서 경악", ["기어가 헛돌면서 틱틱 소리가 나서 경악"]),
        ("가성비, 맛, 양 모두 만족", ["가성비, 맛, 양 모두 만족"]),  # a list joins the opinion after it
        ("맛있어요. 근데 비싸요", ["맛있어요.", "근데 비싸요"]),
        # a particle written onto the ending stays with its clause (not "도 기다리는 게 …")
        ("몇 번을 오고도 기다리는 게 힘들어요", ["몇 번을 오고도", "기다리는 게 힘들어요"]),
        ("맛있는데요 양이 적어요", ["맛있는데요", "양이 적어요"]),  # -는데요 is a contrast like -는데
        # Kiwi reads 추웠어|요 as two sentences, the second opening with 요; an emoji written onto a sentence
        # ends it: the next clause opens with its own first word
        ("난방이 안 돼서 추웠어요 프론트 직원은 친절했어요", ["난방이 안 돼서 추웠어요", "프론트 직원은 친절했어요"]),
        ("맛있게 잘 먹었습니다😀 배달도 빨라요", ["맛있게 잘 먹었습니다😀", "배달도 빨라요"]),
        ("맛있어요계란찜도 맛있어요", ["맛있어요", "계란찜도 맛있어요"]),
        ("다 좋은데요 심박수랑 스트레스 지수를 보려니 불편해요", ["다 좋은데요", "심박수랑 스트레스 지수를 보려니 불편해요"]),  # two sentences written together stay two
    ],
)
def test_clauses(text, clauses):
    doc = analyse(text)
    assert [doc.clause_text(c) for c in range(len(doc.clauses))] == clauses


def test_a_middling_verdict_stands_as_a_clause():
    """보통 is no predicate, but as an opinion word of the lexicon it keeps "맛은 보통인데" a clause of its own."""
    from nlp.aspects.polarity import OpinionLexicon

    doc = analyse("맛은 보통인데 양이 많아요", OpinionLexicon.builtin().lemmas())
    assert [doc.clause_text(c) for c in range(len(doc.clauses))] == ["맛은 보통인데", "양이 많아요"]
    assert [analyse("맛은 보통인데 양이 많아요").clause_text(0)] == ["맛은 보통인데 양이 많아요"]


def test_evidence_offsets_point_into_the_raw_text(rules_extractor):
    import pandas as pd

    raw = "연락은 010-1234-5678   로 주세요.  배송은   빨랐는데ㅋㅋㅋㅋㅋ 포장이 엉망이에요"
    rows = rules_extractor.transform(pd.DataFrame({"id": ["a"], "text": [raw]}))
    by = {r["aspect"]: r for r in rows.to_dict("records")}
    assert set(by) >= {"delivery", "packaging"}
    for r in by.values():
        assert "010-1234-5678" not in r["evidence"]
        span = raw[r["start"] : r["end"]]
        assert span.replace(" ", "")[:2] == r["evidence"].replace(" ", "")[:2]
    assert raw[by["packaging"]["start"] : by["packaging"]["end"]] == "포장이 엉망이에요"


def test_evidence_offsets_survive_line_breaks(rules_extractor):
    """Normalisation turns line breaks into spaces; the offsets must still land on the clause in the input."""
    import pandas as pd

    from nlp.text.normalize import normalize

    # line breaks become spaces, "……" becomes "..", full-width "！" becomes "!"; each has a literal
    # counterpart further on, which a plain search would jump to
    raw = "몇 번을 왔는데 드디어 방문！！\n\n배송은 빨랐는데……\n포장이 엉망이에요\n\n다음엔  다른 데서 시킬게요. 끝!"
    rows = rules_extractor.transform(pd.DataFrame({"id": ["a"], "text": [raw]}))
    by = {r["aspect"]: r for r in rows.to_dict("records")}
    assert {"delivery", "packaging"} <= set(by)
    assert raw[by["packaging"]["start"] : by["packaging"]["end"]] == "포장이 엉망이에요"
    for r in by.values():
        assert r["end"] > r["start"]
        assert normalize([raw[r["start"] : r["end"]]])[0] == r["evidence"]


def test_contrast_with_a_polite_ending_carries(rules_extractor):
    rows = rules_extractor.predict("양은 많은데요 맛이 없어요", domain="food")
    assert {(r["aspect"], r["polarity"]) for r in rows} == {("quantity", "positive"), ("taste", "negative")}
    assert analyse("맛있는데요 양이 적어요").contrast_after(0)


def test_domain_of_a_term_only_in_its_domain(rules_extractor):
    assert rules_extractor.predict("방음이 안 돼요", domain="food") == []


@pytest.mark.parametrize(
    ("text", "middling"),
    [
        ("배송은보통", True),
        ("양은 보통이었어요", True),
        ("맛은 보통 수준", True),
        ("맛도 그냥저냥", True),
        ("보통 포장에 적어주시는데", False),  # 보통 = usually
        ("보통은 빨리 와요", False),
        ("맛이 보통이 아니에요", False),  # negated: not ordinary at all
    ],
)
def test_middling_verdicts_and_the_adverb_usually(text, middling):
    from nlp.aspects.polarity import OpinionLexicon, _middling

    lex = OpinionLexicon.builtin()
    doc = analyse(text, lex.lemmas())
    assert any(_middling(doc, c, lex) for c in range(len(doc.clauses))) == middling


@pytest.mark.parametrize(
    ("domain", "text", "aspect"),
    [
        ("app", "비밀번호가 자꾸 틀렸대요", "login"),  # 비밀번호 alone reads 비밀 + 번호, in a sentence one noun
        ("food", "이물질이 나왔어요", "hygiene"),  # 이물질 alone reads 이 + 물질
        ("cosmetics", "이 세럼 무향이라 좋아요", "scent"),  # 무향 alone reads 무 + 향
    ],
)
def test_a_word_kiwi_splits_only_when_alone_still_matches(rules_extractor, domain, text, aspect):
    index = rules_extractor.index_
    found = [(m.seed.term, m.positions) for m in index.find(analyse(text), [domain]) if m.aspect == aspect]
    assert found
    assert len(found) == len(set(found)), "a word found both as written and by its pieces is one match"
