// Built-in news-style sample texts (written for this project; the people and events are made up).
// One mixes Latin letters, digits and emoji on purpose: offsets must stay exact around them.

export const SAMPLES = [
  {
    id: 'tech',
    label: { zh: '科技', en: 'Tech' },
    text: '新华社杭州5月12日电 浙江大学与阿里巴巴集团今天在杭州签署合作协议，双方将在人工智能领域共建联合实验室。浙江大学校长王建国出席签约仪式。',
  },
  {
    id: 'city',
    label: { zh: '城市', en: 'City' },
    text: '记者李晓梅报道：长江流域的武汉、重庆等城市近日迎来强降雨，中国气象局发布暴雨预警，武汉市政府启动防汛应急响应。',
  },
  {
    id: 'mixed',
    label: { zh: '混排', en: 'Mixed' },
    text: '🎉 张伟和刘洋昨天从广州飞往成都，参加腾讯公司举办的 AI 2025 开发者大会 👍 会上，清华大学的陈静教授发表了主题演讲。',
  },
  {
    id: 'sports',
    label: { zh: '体育', en: 'Sports' },
    text: '在上海举行的全国游泳锦标赛上，广东队选手林海以1分45秒的成绩夺得男子200米自由泳冠军，国家体育总局向他表示祝贺。',
  },
];
