"""中文 texts, keyed by the English text they translate."""

ZH: dict[str, str] = {
    # --- Inside the network at each epoch (h6) ---
    "Epoch": "轮次",
    "{e} (best)": "{e}（最佳）",
    "{e} (the best epoch's weights, kept)": "{e}（保留最佳轮次的权重）",
    "Each neuron at an earlier epoch of the same run: the network trained with the same settings for that many "
    "epochs (the same seeds and batches).": "同一次训练中较早轮次的各个神经元：即用相同设置训练该轮数的网络（相同的随机种子和批次）。",
    # --- Inside the network, trimmed exercises (h3) ---
    "Inside the network": "网络内部",
    "Each square is one neuron's output over the plane: blue negative, orange positive, white 0 (the "
    "output: P(class 1)). Lines are the weights: thicker is larger, orange positive, blue negative. "
    "Hover a neuron to see it large beside the network; hover a line for its weight.": (
        "每个小方块是一个神经元在整个平面上的输出：蓝色为负，橙色为正，白色为 0（输出神经元显示 P(类别 1)）。"
        "连线是权重：越粗越大，橙色为正，蓝色为负。把鼠标移到神经元上，旁边会放大显示它；移到连线上可看权重。"
    ),
    "Layers wider than {m} show their first {m} neurons.": "超过 {m} 个神经元的层只显示前 {m} 个。",
    "Input": "输入",
    "Layer {k}": "第 {k} 层",
    "Output": "输出",
    "{m} of {n}": "{m}/{n} 个",
    "layer {k}, neuron {i}": "第 {k} 层，神经元 {i}",
    "output: P(class 1)": "输出：P(类别 1)",
    "weight {w}": "权重 {w}",
    "bias {b}": "偏置 {b}",
    "from {lo} to {hi}": "从 {lo} 到 {hi}",
    "{param}: {raw} is not the name of a control (names are a link's keys, e.g. lr)": (
        "{param}：{raw} 不是控件的名称（名称是链接中的键，例如 lr）"
    ),
    "This link is an exercise: some controls are hidden or locked.": "此链接是一道练习：部分控件已隐藏或锁定。",
    "hidden: {names}": "隐藏：{names}",
    "locked: {names}": "锁定：{names}",
    "Locked by this link.": "已被此链接锁定。",
    # --- Training playback (ui/common.py playback_labels, the training pages) -----------------
    "▶ Play": "▶ 播放",
    "❚❚ Pause": "❚❚ 暂停",
    "⏮ Reset": "⏮ 重置",
    "⏭ Step": "⏭ 单步",
    "★ Best epoch": "★ 最佳轮次",
    "speed": "速度",
    "after the best epoch": "最佳轮次之后",
    "this epoch": "本轮",
    "Training, epoch by epoch": "逐轮回放训练过程",
    "The numbers above are from epoch {e}, the last one trained (without early stopping the last weights are kept). The best validation {m}, {v}, was at epoch {b}: press ★ Best epoch below to see it.": (
        "上面的数字来自第 {e} 轮，即最后训练的一轮（不使用早停时保留最后的权重）。"
        "最佳验证 {m} 为 {v}，出现在第 {b} 轮：点击下方的“★ 最佳轮次”查看。"
    ),
    # --- Dropout loss, held-back test, Lightning (h1) ---
    "training loss (dropout on)": "训练损失（开启 Dropout）",
    "Misconception: validation loss below training loss is a bug": "误区：验证损失低于训练损失是程序错误",
    "With dropout 0.5, every training step switches off half of the hidden neurons at random, so the training loss the optimizer sees (the chart's 'training loss (dropout on)', what a PyTorch loop or Keras prints) stays above the validation loss, which is measured with the whole network. That is normal, not a bug: measured the same way as validation, with dropout off, the training loss is below the validation loss, as a fitted model's should be.": (
        "Dropout 为 0.5 时，每个训练步骤都随机关闭一半隐藏神经元，因此优化器看到的训练损失"
        "（图中的“训练损失（开启 Dropout）”，也就是 PyTorch 训练循环或 Keras 打印的数值）一直高于验证损失，"
        "而验证损失是用完整的网络测量的。这很正常，不是程序错误：用与验证相同的方式（关闭 Dropout）测量时，"
        "训练损失低于验证损失，拟合好的模型本应如此。"
    ),
    "Over the last tenth of the epochs, validation loss is below the dropout-on training loss and above the dropout-off one.": (
        "在最后十分之一的轮次里，验证损失低于开启 Dropout 的训练损失，又高于关闭 Dropout 的训练损失。"
    ),
    "Test share": "测试集比例",
    "Share of the points held back as a test set: never trained on, never used for early stopping or any choice. Its accuracy is shown once, after training: read it when you are done tuning.": (
        "留作测试集的点所占的比例：从不用于训练，也不用于早停或任何选择。"
        "它的准确率只在训练结束后显示一次：调参全部完成后再看。"
    ),
    "Held-back test accuracy": "留出测试集准确率",
    "On {n} test points held back from the start: never trained on, never used for early stopping or any choice. Read it once, when you are done tuning; choosing by it would make it a second validation set.": (
        "基于一开始就留出的 {n} 个测试点：从不用于训练，也不用于早停或任何选择。"
        "调参完成后只看一次；若据此做选择，它就成了第二个验证集。"
    ),
    "The course notebook's data: 100 points from make_classification (2 features, class separation 1.5, 10% of the labels redrawn at random), split as the course splits them, 70 for training, 15 for validation and 15 held back as a test set whose accuracy is shown once, after training, and its two networks Linear(2, 1) and Sequential(Linear(2, 5), Sigmoid, Linear(5, 1)). Both score about the same, since a line splits the classes and the flipped labels are errors no model should learn; the course's exercise asks for overfitting with a rich model: enter more and wider layers in Neurons per layer (e.g. 32,32) and compare training with validation accuracy.": (
        "课程笔记本中的数据：用 make_classification 生成的 100 个点（2 个特征，类间距 1.5，10% 的标签被随机重抽），"
        "按课程的方式划分：70 个用于训练，15 个用于验证，15 个留作测试集，其准确率只在训练结束后显示一次；"
        "以及它的两个网络 Linear(2, 1) 和 Sequential(Linear(2, 5), Sigmoid, Linear(5, 1))。"
        "两者得分相近，因为一条直线就能分开两类，而被翻转的标签是任何模型都不该学会的错误；"
        "课程的练习要求用一个复杂的模型观察过拟合：在“每层神经元数”中输入更多、更宽的层（例如 32,32），比较训练准确率与验证准确率。"
    ),
    "PyTorch Lightning": "PyTorch Lightning",
    "The same loop, run by PyTorch Lightning's Trainer (pip install lightning): the same initial weights, batches and dropout masks, so the same numbers as the plain script.": (
        "同一个训练循环，由 PyTorch Lightning 的 Trainer 运行（pip install lightning）："
        "初始权重、批次和 Dropout 掩码都相同，所以数字与普通脚本一样。"
    ),
    # --- Class challenge (ui/challenge_page.py, playground/challenge.py) ---------------------
    "Class challenge": "班级挑战",
    "Join a challenge": "加入挑战",
    "Rank": "名次",
    "Name": "名字",
    "Submissions": "提交次数",
    "{s} students joined, {n} submissions.": "已有 {s} 名学生加入，共 {n} 次提交。",
    "Every time you picked a model because its validation error was lower, you also fitted the few validation points, noise included. The hidden test set is new data: the gap between its error and the validation error is how much the class overfitted the validation set, and it tends to grow with the number of submissions.": (
        "每当你因为验证误差更低而选中一个模型，你也在拟合那几个验证点，连同其中的噪声。"
        "隐藏测试集是全新的数据：它的误差与验证误差之差，就是全班对验证集过拟合的程度，而且提交次数越多，差距往往越大。"
    ),
    "Playing as {name} in challenge {code}.": "你以 {name} 的身份参加挑战 {code}。",
    "Join code: **{code}**": "加入码：**{code}**",
    "Students open the Challenge page and type this code, or scan the QR code.": "学生打开挑战页面输入此加入码，或扫描二维码。",
    "Status: {status}": "状态：{status}",
    "Students tune a model on the public validation set; the teacher's hidden test set decides at the reveal. Who overfitted the validation set?": (
        "学生在公开验证集上调模型；揭晓时由老师的隐藏测试集决定名次。谁对验证集过拟合了？"
    ),
    "Join codes have {n} characters from {chars}.": "加入码由 {chars} 中的 {n} 个字符组成。",
    "Join code": "加入码",
    "Your display name": "你的显示名",
    "Join": "加入",
    "Create a challenge (teacher)": "创建挑战（老师）",
    "Title": "标题",
    "Public validation points": "公开验证点数",
    "Hidden test points": "隐藏测试点数",
    "Allowed models": "允许的模型",
    "Submissions per student": "每名学生的提交次数",
    "Seconds between submissions": "两次提交的间隔（秒）",
    "Ends after (minutes, 0: when you close it)": "结束时间（分钟后；0：由你手动关闭）",
    "Create": "创建",
    "Change": "变化",
    "Test MSE": "测试 MSE",
    "Leaderboard: revealed, ranked by the hidden test set": "排行榜：已揭晓，按隐藏测试集排名",
    "Leaderboard": "排行榜",
    "No submissions yet.": "还没有提交。",
    "Validation error against hidden test error": "验证误差与隐藏测试误差",
    "Submissions against the gap": "提交次数与误差差距",
    "A network trains on the server when you submit: its errors appear in your submissions.": (
        "提交时网络在服务器上训练：它的误差会出现在你的提交记录中。"
    ),
    "Submit": "提交",
    "Submissions to this challenge are closed.": "此挑战已停止接受提交。",
    "Scan to join": "扫码加入",
    "Teacher link (keep it secret: it controls the challenge)": "老师链接（请保密：它可以控制这个挑战）",
    "open": "开放",
    "closed": "已关闭",
    "revealed": "已揭晓",
    "Export CSV": "导出 CSV",
    "submission": "提交",
    "counted submission": "计入排名的提交",
    "test = validation": "测试 = 验证",
    "students": "学生",
    "submissions": "提交次数",
    "test MSE − validation MSE": "测试 MSE − 验证 MSE",
    "Training and public validation points": "训练点与公开验证点",
    "My submissions ({n} of {most})": "我的提交（{n} / {most}）",
    "Settings": "设置",
    "Close submissions": "停止提交",
    "Open submissions again": "重新开放提交",
    "Reveal": "揭晓",
    "Delete": "删除",
    "Deletes the challenge, its students and submissions. This cannot be undone.": "删除此挑战及其学生和提交，无法撤销。",
    "Delete for good": "永久删除",
    "All submissions ({n})": "全部提交（{n}）",
    "Submission id": "提交编号",
    "Remove / restore": "移除 / 恢复",
    "Submitted: validation MSE {v}.": "已提交：验证 MSE {v}。",
    "Removed": "已移除",
    "Scoring on the server...": "正在服务器上评分……",
    "defaults": "默认设置",
    "This link does not carry the teacher key of this challenge.": "此链接不含这个挑战的老师密钥。",
    "Unknown data set.": "未知的数据集。",
    "Allow at least one model family (polynomial or network).": "请至少允许一种模型（多项式或网络）。",
    "The end time must be in the future.": "结束时间必须在未来。",
    "These settings cannot be submitted.": "这些设置不能提交。",
    "This challenge does not allow this model family.": "此挑战不允许这种模型。",
    "Too much training for one submission: use a smaller network or fewer epochs.": "一次提交的训练量过大：请用更小的网络或更少的轮数。",
    "Use letters, digits and spaces only.": "只能使用字母、数字和空格。",
    "A name has 1 to {most} characters.": "名字须为 1 到 {most} 个字符。",
    "The challenge database is not available right now. Try again in a moment.": "挑战数据库暂时无法访问，请稍后再试。",
    "{name} must be a number.": "{name} 必须是数字。",
    "{name} must be between {lo} and {hi}.": "{name} 必须在 {lo} 到 {hi} 之间。",
    "This challenge allows {name} up to {most}.": "此挑战允许的 {name} 最大为 {most}。",
    "No challenge has this code. Check it on the projector.": "没有挑战使用这个加入码，请对照投影再检查一遍。",
    "Join the challenge first.": "请先加入挑战。",
    "You have used all {most} submissions.": "你已用完全部 {most} 次提交。",
    "Wait {s} s before the next submission.": "请等待 {s} 秒再提交。",
    "Too many attempts. Wait a minute and try again.": "尝试次数过多，请一分钟后再试。",
    "Someone in this challenge already uses this name. Pick another.": "此挑战中已有人使用这个名字，请换一个。",
    "This challenge is over.": "此挑战已结束。",
    "lesson: {raw} is not a lesson": "lesson：{raw} 不是一个课程",
    "Overfitting Playground": "过拟合实验场",
    "The chosen device is not available here; using the CPU.": "所选设备在此不可用，改用 CPU。",
    "The GPU ran out of memory; this run trained on the CPU instead.": "GPU 显存不足，本次改用 CPU 训练。",
    "The GPU is busy; this run trained on the CPU instead.": "GPU 正忙，本次改用 CPU 训练。",
    "The GPU failed; this run trained on the CPU instead.": "GPU 出错，本次改用 CPU 训练。",
    # --- app: page names, language, presentation mode (app.py, ui/chrome.py) ---------------
    "Fit": "拟合",
    "Compare": "对比",
    "Where overfitting comes from": "过拟合从何而来",
    "How to detect it": "如何发现过拟合",
    "How to prevent it": "如何防止过拟合",
    "Why: the theory behind it": "为什么：背后的理论",
    "The exercise: classification with PyTorch networks": "练习：用 PyTorch 网络做分类",
    "What you should see: {see}": "你应该看到：{see}",
    "Exact value: {v}": "精确值：{v}",
    "Lessons": "课程",
    "Classify": "分类",
    "Capacity curve": "容量曲线",
    "Bias and variance": "偏差与方差",
    "Learning curve": "学习曲线",
    "Double descent": "双下降",
    "Language": "语言",
    "Language of the whole app.": "整个应用的界面语言。",
    "English": "English",
    "中文": "中文",
    "Presentation mode": "演示模式",
    "Larger text and markers for a projector; controls collapsed.": "为投影仪放大文字和标记；侧边栏控件自动收起。",
    "Share this view: copy the address bar; the link holds every setting, seed included.": (
        "分享当前视图：复制地址栏即可；链接包含所有设置，包括随机种子。"
    ),
    # --- shared pieces: verdicts, errors, link notices (ui/common.py, ui/widgets.py) --------
    "Underfitting": "欠拟合",
    "Good fit": "拟合良好",
    "Overfitting": "过拟合",
    "Something went wrong with these settings: {err}. Try other values or reset.": (
        "这组设置出错了：{err}。请换一些数值，或重置设置。"
    ),
    "Link setting ignored: {note}": "已忽略链接中的设置：{note}",
    "{label}: pick at least one; keeping the last choice.": "{label}：至少选择一项；保留上一次的选择。",
    # --- choice names (CHOICE_NAMES) ---------------------------------------------------------
    "Polynomial": "多项式",
    "Neural network (MLP)": "神经网络 (MLP)",
    "sine wave": "正弦波",
    "straight line": "直线",
    "cubic": "三次曲线",
    "step": "阶跃函数",
    "|x| kink": "|x| 折角",
    "uniform random": "均匀随机",
    "evenly spaced": "等间距",
    "Adam": "Adam",
    "SGD": "SGD",
    "SGD + momentum": "SGD + 动量",
    "auto": "自动",
    "CPU": "CPU",
    "CUDA GPU": "CUDA GPU",
    "Apple MPS": "Apple MPS",
    "ReLU": "ReLU",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "GELU": "GELU",
    "random smooth curves": "随机平滑曲线",
    "Legendre polynomials": "勒让德多项式",
    "two moons": "双月形",
    "circles": "同心圆",
    "XOR quadrants": "XOR 象限",
    "two spirals": "双螺旋",
    "course notebook (make_classification)": "课程笔记本（make_classification）",
    "two blobs": "两团点",
    "x1": "x1",
    "x2": "x2",
    "x1²": "x1²",
    "x2²": "x2²",
    "x1·x2": "x1·x2",
    "sin(x1)": "sin(x1)",
    "sin(x2)": "sin(x2)",
    "Train and watch": "训练并观察",
    "Single vs multi-layer": "单层与多层对比",
    # --- settings: data (DataSettings) -------------------------------------------------------
    "Ground truth": "真实函数",
    "The function the points are sampled from.": "生成数据点所用的函数。",
    "Training points": "训练点数",
    "How many noisy points the model learns from. Fewer points overfit more easily.": (
        "模型用来学习的带噪声数据点个数。点越少，越容易过拟合。"
    ),
    "Noise (σ)": "噪声 (σ)",
    "Standard deviation of the Gaussian noise added to every point.": "加到每个点上的高斯噪声的标准差。",
    "Validation points": "验证点数",
    "Fresh points from the same distribution, never used for training.": "来自同一分布的新数据点，从不用于训练。",
    "x positions": "x 的位置",
    "Uniform random x, or evenly spaced x.": "x 均匀随机分布，或等间距分布。",
    "Seed": "随机种子",
    "Same seed and settings give the same data everywhere.": "相同的随机种子和设置，在任何地方都生成相同的数据。",
    # --- settings: model (ModelSettings) -----------------------------------------------------
    "Model": "模型",
    "A polynomial (closed-form fit) or a neural network (trained).": "多项式（用闭式解直接拟合）或神经网络（迭代训练）。",
    "Polynomial degree": "多项式次数",
    "Degree d: d + 1 parameters. High degrees can pass through every point.": (
        "次数 d：共 d + 1 个参数。次数高时，曲线可以穿过每一个点。"
    ),
    "Ridge (L2) strength": "岭回归 (L2) 强度",
    "Penalty λ·‖c‖² on the polynomial coefficients; shrinks wiggles.": "对多项式系数施加惩罚 λ·‖c‖²，抑制曲线的抖动。",
    "Hidden layers": "隐藏层数",
    "Number of hidden layers of the network.": "网络隐藏层的层数。",
    "Width": "宽度",
    "Neurons per hidden layer: more neurons, more capacity.": "每个隐藏层的神经元个数：神经元越多，容量越大。",
    "Activation": "激活函数",
    "Non-linearity after each hidden layer.": "每个隐藏层之后的非线性函数。",
    "Dropout": "丢弃率 (Dropout)",
    "Probability of zeroing each hidden neuron during training: a regularizer.": (
        "训练时把每个隐藏神经元置零的概率：一种正则化方法。"
    ),
    # --- settings: training (TrainSettings) --------------------------------------------------
    "Optimizer": "优化器",
    "Adam adapts step sizes; SGD takes plain gradient steps.": "Adam 自适应地调整步长；SGD 按普通的梯度方向走固定步长。",
    "Learning rate": "学习率",
    "Step size. Too large diverges, too small crawls.": "步长。太大会发散，太小则进展缓慢。",
    "Epochs": "训练轮数",
    "Passes over the training set.": "遍历训练集的次数。",
    "Batch size": "批大小",
    "Points per gradient step; 0 means the full batch.": "每次梯度更新使用的点数；0 表示全批量。",
    "Weight decay (L2)": "权重衰减 (L2)",
    "Adds λ·‖w‖² to the loss: pulls weights towards zero.": "在损失中加入 λ·‖w‖²：把权重拉向零。",
    "Early stopping": "早停",
    "Stop when validation loss has not improved for `patience` epochs; keep the best weights.": (
        "验证损失连续 `patience`（耐心值）轮没有改善时停止训练，并保留最佳权重。"
    ),
    "Patience": "耐心值",
    "Epochs without validation improvement before stopping.": "停止之前允许验证损失不改善的轮数。",
    "Device": "计算设备",
    "Where the network trains: auto picks CUDA, then MPS, then the CPU.": (
        "网络在哪里训练：“自动”依次优先选择 CUDA、MPS、CPU。"
    ),
    "Init seed": "初始化种子",
    "Seed of the initial weights, dropout masks and batch order.": "初始权重、Dropout 掩码和批次顺序所用的随机种子。",
    # --- sidebar sections (ui/sections.py) ---------------------------------------------------
    "Data": "数据",
    "New sample": "重新采样",
    "Draw fresh points: the seed goes up by one.": "抽取一组新的点：随机种子加一。",
    "Regularization": "正则化",
    "Training": "训练",
    "Advanced": "高级",
    "Devices here: {devs}": "本机可用设备：{devs}",
    # --- Fit page (ui/fit_page.py) -----------------------------------------------------------
    "Fit: watch a model overfit": "拟合：看模型如何过拟合",
    "Drag the sliders: fewer points, more noise or more capacity make the fitted curve chase the noise.": (
        "拖动滑块：点更少、噪声更大或容量更高，都会让拟合曲线去追逐噪声。"
    ),
    "Train MSE": "训练 MSE",
    "Validation MSE": "验证 MSE",
    "Parameters": "参数量",
    "Best epoch": "最佳轮次",
    "training points": "训练点",
    "validation points": "验证点",
    "truth": "真实函数",
    "training loss": "训练损失",
    "validation loss": "验证损失",
    "best epoch": "最佳轮次",
    "epoch": "轮次",
    "training MSE": "训练 MSE",
    "validation MSE": "验证 MSE",
    "best degree": "最佳次数",
    "validation MSE off the chart": "超出图表的验证 MSE",
    "current": "当前",
    "noise σ²": "噪声 σ²",
    "degree": "次数",
    "degree {d} fit": "{d} 次多项式拟合",
    "Data and fitted curve": "数据与拟合曲线",
    "Error against degree": "误差随次数的变化",
    "Loss per epoch": "每轮损失",
    "network": "神经网络",
    "network ({p} parameters)": "神经网络（{p} 个参数）",
    " — epoch {e}": " — 第 {e} 轮",
    "Training…": "训练中…",
    "Training… epoch {e} of {n}": "训练中… 第 {e} / {n} 轮",
    "Stopped early at epoch {e}; the best weights (epoch {b}) are restored.": (
        "在第 {e} 轮提前停止；已恢复最佳权重（第 {b} 轮）。"
    ),
    # --- Compare page (ui/compare_page.py) ---------------------------------------------------
    "Compare two models on the same data": "在同一份数据上对比两个模型",
    "Same points, two models: which one generalizes? Training error alone cannot tell.": (
        "同样的点，两个模型：哪一个泛化得更好？只看训练误差是分辨不出来的。"
    ),
    "Lesson: 5 points — a line vs a 7-parameter model": "示例：5 个点 — 直线 vs 7 个参数的模型",
    "Five noisy points from a straight line: the line generalizes, the degree-6 polynomial passes through every point and misses the validation points.": (
        "从一条直线上取 5 个带噪声的点：直线能够泛化；6 次多项式穿过每一个点，却偏离了验证点。"
    ),
    "Model A": "模型 A",
    "Model B": "模型 B",
    "Model {m}": "模型 {m}",
    "model {m} ({p} parameters)": "模型 {m}（{p} 个参数）",
    # --- Lessons page and banner (ui/presets.py) ---------------------------------------------
    "Each lesson opens a page set up to show one idea. Read the two sentences, then move the sliders.": (
        "每节课会打开一个已设置好的页面，展示一个要点。先读两句说明，再拖动滑块试试。"
    ),
    "Open": "打开",
    "Hide the lesson": "隐藏本课说明",
    "5 points: a line against 7 parameters": "5 个点：直线 vs 7 个参数",
    "Five noisy points from a straight line. The line misses them a little but generalizes; the 7-parameter polynomial passes through every training point and misses the validation points badly.": (
        "从一条直线上取 5 个带噪声的点。直线与这些点略有偏差，但能够泛化；有 7 个参数的多项式"
        "穿过每一个训练点，却严重偏离验证点。"
    ),
    "Too little data": "数据太少",
    "Eight points and a degree-7 polynomial: as many parameters as points, so the curve chases every one of them. Drag Training points up to 100 and watch the same model settle on the truth.": (
        "8 个点配一个 7 次多项式：参数和点一样多，于是曲线去追逐每一个点。把“训练点数”拖到 100，"
        "看同一个模型如何贴近真实函数。"
    ),
    "Too much noise": "噪声太大",
    "Twenty evenly spaced points with noise σ = 1, as large as the signal itself: the degree-9 polynomial cannot tell signal from noise, so it fits both and swings far from the truth. Lower the noise to 0.3 and the same degree-9 polynomial becomes a good fit.": (
        "20 个等间距的点，噪声 σ = 1，和信号本身一样大：9 次多项式分不清信号和噪声，于是两者一起拟合，"
        "曲线远远偏离真实函数。把噪声调低到 0.3，同一个 9 次多项式就能拟合良好。"
    ),
    "Too powerful a model": "模型太强",
    "Fifteen degrees for twenty points: training error is tiny and validation error explodes. Step the degree down and find the bottom of the validation curve on the right.": (
        "20 个点配 15 次多项式：训练误差极小，验证误差却急剧增大。逐步降低次数，在右图中找到验证曲线的最低点。"
    ),
    "Detecting overfitting: the validation curve": "发现过拟合：验证曲线",
    "A big network on twenty points. Training loss keeps falling while validation loss turns and rises: the epoch where they part is where overfitting starts.": (
        "在 20 个点上训练一个大网络。训练损失持续下降，验证损失却掉头上升：两者分道扬镳的那一轮，就是过拟合开始的地方。"
    ),
    "The same network, but training stops once validation loss has not improved for 200 epochs, and the best weights are restored. The shaded region shows what was thrown away.": (
        "同一个网络，但验证损失连续 200 轮没有改善就停止训练，并恢复最佳权重。阴影区域就是被舍弃的部分。"
    ),
    "Dropout to the rescue": "丢弃法 (Dropout) 来救场",
    "Two identical big networks on the same twenty points; B drops 30% of its hidden neurons at random while training. B cannot memorize the noise, and its validation error is lower.": (
        "两个相同的大网络，在同样的 20 个点上训练；B 在训练时随机丢弃 30% 的隐藏神经元。B 无法记住噪声，验证误差更低。"
    ),
    "L2 to the rescue": "L2 正则化来救场",
    "Two degree-15 polynomials on twenty points; B pays a small L2 penalty for large coefficients. The penalty irons out the wiggles and B's validation error drops by orders of magnitude.": (
        "在 20 个点上拟合两个 15 次多项式；B 对较大的系数付出一个小的 L2 惩罚。惩罚抚平了曲线的抖动，"
        "B 的验证误差下降了几个数量级。"
    ),
    "The bias–variance U-curve": "偏差–方差的 U 形曲线",
    "A hundred fresh training sets of twenty evenly spaced points, one polynomial fitted to each. Bias² falls and variance rises with the degree, so their sum with the noise traces a U whose bottom is the best capacity.": (
        "抽取 100 个新的训练集，每个 20 个等间距的点，每个训练集各拟合一个多项式。随着次数升高，偏差² 下降、方差上升，"
        "两者与噪声之和画出一条 U 形曲线，它的最低点就是最佳容量。"
    ),
    "The test error climbs to a peak where the number of features equals the number of points, then falls again as features keep growing. Past that threshold the minimum-norm solution picks the smoothest of the many curves through the points.": (
        "测试误差在特征数等于数据点数时攀升到峰值，随着特征继续增多又再次下降。越过这个阈值后，"
        "最小范数解会在众多穿过所有点的曲线中选出最平滑的一条。"
    ),
    "Single vs multi-layer on two moons": "双月形数据：单层 vs 多层",
    "A single layer can only draw a straight line, so it cuts through both moons. A network with hidden layers bends its boundary around them and classifies almost every validation point.": (
        "单层网络只能画一条直线，于是把两个月牙都切开了。带隐藏层的网络能让边界绕着月牙弯曲，几乎把每个验证点都分对。"
    ),
    # --- Classify page (ui/classify_page.py, ClassSettings) ----------------------------------
    "Classify: where does the boundary go?": "分类：决策边界画在哪里？",
    "A network sorts 2-D points into two classes. Blue circles are class 0, red-orange diamonds class 1; filled points train the network, open points only check it.": (
        "神经网络把二维平面上的点分成两类。蓝色圆点是类别 0，橙红色菱形是类别 1；实心点用于训练网络，空心点只用于检验。"
    ),
    "View": "视图",
    "Train one network and watch it, or compare a single layer with several.": "训练一个网络并观察过程，或对比单层与多层网络。",
    "Lesson: two moons — one layer vs several": "示例：双月形 — 单层 vs 多层",
    "Two moons with raw inputs x1, x2: the single layer draws a straight line and misclassifies the tips.": (
        "双月形数据，输入为原始的 x1、x2：单层网络只能画一条直线，会把月牙的尖端分错。"
    ),
    "Network": "网络",
    "Data set": "数据集",
    "The 2-D point cloud to classify: two moons, circles, XOR quadrants, two spirals, two blobs, a line split, or the course notebook's make_classification set.": (
        "要分类的二维点云：双月形、同心圆、XOR 象限、双螺旋、两团点、直线分割，或课程笔记本中的 make_classification 数据集。"
    ),
    "Points": "点数",
    "All points, training and validation together. Fewer points overfit more easily.": (
        "全部点的个数（训练与验证合计）。点越少，越容易过拟合。"
    ),
    "Standard deviation of the jitter added to every point: more noise, more overlap between the classes.": (
        "加到每个点上的随机扰动的标准差：噪声越大，两类重叠越多。"
    ),
    "Validation share": "验证集比例",
    "Share of the points held out for validation: never trained on, they show how well the boundary generalizes.": (
        "留作验证的点所占比例：它们从不参与训练，用来检验决策边界的泛化能力。"
    ),
    "Same seed and settings give the same points everywhere.": "相同的随机种子和设置，在任何地方都生成相同的点。",
    "0 is a single layer (logistic regression): its boundary is a straight line in the features. Hidden layers let the boundary bend.": (
        "0 表示单层网络（逻辑回归）：它的决策边界在特征空间中是一条直线。隐藏层能让边界弯曲。"
    ),
    "Input features": "输入特征",
    "What the network sees. With x1² and x2² even a single layer can draw a circle.": (
        "网络看到的输入。有了 x1² 和 x2²，即使是单层网络也能画出圆形边界。"
    ),
    "P(class 1)": "P(类别 1)",
    "boundary (P = 0.5)": "决策边界 (P = 0.5)",
    "training, class 0": "训练，类别 0",
    "training, class 1": "训练，类别 1",
    "validation, class 0": "验证，类别 0",
    "validation, class 1": "验证，类别 1",
    "training": "训练",
    "validation": "验证",
    "cross-entropy": "交叉熵",
    "accuracy": "准确率",
    "chance level": "随机猜测水平",
    "class 0": "类别 0",
    "class 1": "类别 1",
    "predicted": "预测",
    "true": "真实",
    "Decision boundary": "决策边界",
    "Cross-entropy per epoch": "每轮交叉熵",
    "Accuracy per epoch": "每轮准确率",
    "Validation accuracy": "验证准确率",
    "Training accuracy": "训练准确率",
    "Validation cross-entropy": "验证交叉熵",
    "Training cross-entropy": "训练交叉熵",
    "Confusion matrix (validation)": "混淆矩阵（验证集）",
    "Single layer (logistic regression)": "单层（逻辑回归）",
    "{k} hidden layers of {w} neurons": "{k} 个隐藏层，每层 {w} 个神经元",
    "Same points, same features, same training: a single layer can only draw a straight boundary in the features; hidden layers let it bend.": (
        "同样的点、同样的特征、同样的训练：单层网络在特征空间中只能画出直的边界；隐藏层能让边界弯曲。"
    ),
    # --- theory pages: sweep settings (SweepSettings) ----------------------------------------
    "Sweep": "扫描",
    "Datasets (R)": "数据集个数 (R)",
    "How many fresh training sets are drawn; every curve is an average over them. More is smoother but slower.": (
        "抽取多少个新的训练集；每条曲线都是它们的平均。越多曲线越平滑，但也越慢。"
    ),
    "Highest degree": "最高次数",
    "The sweep fits every polynomial degree from 0 up to this one.": "扫描会拟合从 0 次到该次数的每一个多项式。",
    "Degree A": "次数 A",
    "Degree B": "次数 B",
    "Degree C": "次数 C",
    "First polynomial degree on the learning curve.": "学习曲线上的第一个多项式次数。",
    "Second polynomial degree on the learning curve.": "学习曲线上的第二个多项式次数。",
    "Third polynomial degree on the learning curve.": "学习曲线上的第三个多项式次数。",
    "Most training points": "最多训练点数",
    "The learning curve grows the training set from 5 points up to this.": "学习曲线把训练集从 5 个点逐步增大到这个数。",
    "Datasets per width (R)": "每个宽度的数据集个数 (R)",
    "Networks trained for each width, each on a fresh training set. Each one takes time: keep it small.": (
        "每个宽度训练的网络个数，每个网络用一个新的训练集。每个网络都要花时间：请取较小的值。"
    ),
    "Epochs per network": "每个网络的训练轮数",
    "Full-batch training steps of every network in the sweep (fewer than on the Fit page, to stay fast).": (
        "扫描中每个网络的全批量训练步数（比“拟合”页少，以保持速度）。"
    ),
    "Features": "特征",
    "Random smooth curves of x, or Legendre polynomials of x (exact up to about N = 30); a linear model on top is fitted to them.": (
        "x 的随机平滑曲线，或 x 的勒让德多项式（N 约 30 以内数值精确）；在这些特征之上拟合一个线性模型。"
    ),
    "Training points (N)": "训练点数 (N)",
    "Points of each training set; the peak sits at N features.": "每个训练集的点数；峰值出现在特征数等于 N 处。",
    "Most features (× N)": "最多特征数 (× N)",
    "The sweep adds features up to this multiple of the number of training points N.": (
        "扫描逐步增加特征，直到特征数达到训练点数 N 的这个倍数。"
    ),
    # --- theory pages (ui/sweep_pages.py) ----------------------------------------------------
    "The charts mark the current degree or width.": "图中标出了当前的次数或宽度。",
    "Training {k} networks…": "正在训练 {k} 个网络…",
    "Fitting…": "拟合中…",
    "hidden units (width)": "隐藏单元数（宽度）",
    "best": "最佳",
    "Capacity: error against model size": "容量：误差随模型规模的变化",
    "Every capacity is fitted to many fresh training sets. Training error keeps falling as capacity grows; validation error falls, then rises again: that rise is overfitting.": (
        "每种容量都在许多新的训练集上拟合。随着容量增大，训练误差持续下降；验证误差先降后升：这段上升就是过拟合。"
    ),
    "Best capacity": "最佳容量",
    "Its validation MSE": "其验证 MSE",
    "Validation MSE at current": "当前容量的验证 MSE",
    "Noise floor σ²": "噪声下限 σ²",
    "Median error over {r} datasets (bands: 10–90%)": "{r} 个数据集上的误差中位数（色带：10–90%）",
    "MSE (median over the datasets)": "MSE（各数据集的中位数）",
    "MSE (mean over the datasets)": "MSE（各数据集的平均值）",
    "off the chart": "超出图表",
    "How to read it: MSE is the mean squared distance between prediction and target. Circles: error on the training points each fit saw; triangles: error on the validation points it never saw. Lines are medians over the datasets, the shaded band holds the middle 80% of them (10–90%). The dashed σ² line is the Noise slider squared: the error even the true curve makes. ▲ on the top edge: off the chart (hover for the value).": (
        "怎么看：MSE 是预测与目标之差的平方的平均值。圆点：每个拟合见过的训练点上的误差；三角：它从未见过的验证点上的误差。"
        "线是各数据集的中位数，阴影色带包含中间 80% 的数据集（10–90%）。虚线 σ² 是“噪声”滑块值的平方：连真实曲线也会有的误差。"
        "顶边上的 ▲：超出图表（悬停查看数值）。"
    ),
    "Networks: each width trains for the epochs set in the sidebar from small random weights, which keeps even a wide network smooth, so the validation error often stays flat across widths instead of rising. Fewer training points, more noise and more epochs let the wide ones overfit.": (
        "神经网络：每种宽度都从较小的随机权重开始，按侧栏设定的轮数训练，这让即使很宽的网络也保持平滑，"
        "因此验证误差常常在各宽度间保持平坦，而不是上升。更少的训练点、更大的噪声和更多的训练轮数会让宽网络过拟合。"
    ),
    "Test error here is the error on fresh points that no fit was trained on, averaged over the datasets (MSE: the mean squared distance between prediction and target). σ² is the Noise slider squared.": (
        "这里的测试误差是在任何拟合都没训练过的新点上的误差，对各数据集取平均（MSE：预测与目标之差的平方的平均值）。σ² 是“噪声”滑块值的平方。"
    ),
    "Here, and only here, the validation points are called the test set: they are held out from every fit, and the curve is read as the error on new data. Lines: medians over the datasets; bands: 10–90%.": (
        "只有在这一页，验证点被称为测试集：它们不参与任何拟合，曲线读作在新数据上的误差。线：各数据集的中位数；色带：10–90%。"
    ),
    "Expected test error = bias² + variance + noise. Bias: how far the average fit is from the truth. Variance: how much the fit changes from one training set to another. Noise σ²: what no model can remove.": (
        "期望测试误差 = 偏差² + 方差 + 噪声。偏差：平均拟合离真实函数有多远。方差：换一个训练集，拟合结果变化多大。"
        "噪声 σ²：任何模型都无法消除的部分。"
    ),
    "At the current capacity ({c}):": "当前容量（{c}）下：",
    "bias²": "偏差²",
    "variance": "方差",
    "sum": "总和",
    "measured test error": "实测测试误差",
    "±{se} (2 standard errors)": "±{se}（2 倍标准误）",
    "bias² + variance + σ²": "偏差² + 方差 + σ²",
    "Decomposition over {r} datasets": "{r} 个数据集上的分解",
    "fit to one dataset": "单个数据集上的拟合",
    "mean fit": "平均拟合",
    "{r} fits at the current capacity": "当前容量下的 {r} 条拟合曲线",
    "Learning curves: error against the number of points": "学习曲线：误差随数据点数的变化",
    "More data pulls training and validation error together. A simple model meets early, above the noise floor; a flexible one needs many points but gets lower.": (
        "数据越多，训练误差和验证误差越接近。简单模型很早就汇合，但停在噪声下限之上；灵活的模型需要很多点，但能降得更低。"
    ),
    "degree {d}: training": "{d} 次：训练",
    "degree {d}: validation": "{d} 次：验证",
    "Median error over {r} datasets per size (bands: 10–90%)": "每种规模下 {r} 个数据集上的误差中位数（色带：10–90%）",
    "A linear model on p features, fitted by minimum-norm least squares: with p = N features there is exactly one fit through every point, and it needs huge weights that swing wildly between the points, so the test error peaks. With more features many fits pass through every point, and the smallest one is smoother, so the test error falls again.": (
        "在 p 个特征上的线性模型，用最小范数最小二乘法拟合：当特征数 p = N 时，恰好只有一种拟合穿过每一个点，"
        "它需要巨大的权重，在点与点之间剧烈摆动，于是测试误差达到峰值。特征更多时，有许多种拟合都能穿过每一个点，"
        "其中权重最小的那个更平滑，于是测试误差再次下降。"
    ),
    "test MSE": "测试 MSE",
    "interpolation threshold p = N = {n}": "插值阈值 p = N = {n}",
    "features p": "特征数 p",
    "Median error over {r} datasets": "{r} 个数据集上的误差中位数",
    "weight norm ‖c‖": "权重范数 ‖c‖",
    "Size of the fitted weights": "拟合权重的大小",
    # --- show the code, upload, export (ui/share.py) -----------------------------------------
    "Show the code": "查看代码",
    "The same numbers as this page, from a standalone PyTorch script with the training loop written out.": (
        "一个独立的 PyTorch 脚本，完整写出训练循环，得到与本页相同的数字。"
    ),
    "PyTorch script": "PyTorch 脚本",
    "Package API": "程序包 API",
    "Download the script": "下载脚本",
    "Download the lines": "下载这几行代码",
    "Your own data (CSV)": "使用自己的数据 (CSV)",
    "Upload a CSV": "上传 CSV 文件",
    "A header row with columns {cols}, then one point per row; an optional split column says train or val. At most {mb} MB.": (
        "第一行是表头，列名为 {cols}，之后每行一个点；可选的 split 列注明 train（训练）或 val（验证）。文件最大 {mb} MB。"
    ),
    "Using your {n} points; the link cannot carry them.": "正在使用你的 {n} 个点；分享链接无法携带这些数据。",
    "Export": "导出",
    "Data (CSV)": "数据 (CSV)",
    "Loss history (CSV)": "损失历史 (CSV)",
    "Trained weights (state_dict)": "训练好的权重 (state_dict)",
    "Load with torch.load(path, weights_only=True) into a network of the same shape.": (
        "用 torch.load(path, weights_only=True) 加载到结构相同的网络中。"
    ),
    "Figure: {name} (HTML)": "图：{name} (HTML)",
    "Sweep results (CSV)": "扫描结果 (CSV)",
    # --- upload errors and notes (playground/io.py: UploadError, Text) -----------------------
    "This weights file is too large ({size}; the limit is {limit}).": "这个权重文件太大（{size}；上限为 {limit}）。",
    "This file is not model weights saved by the playground (it may hold other Python objects, which are refused for safety, or be damaged).": (
        "这个文件不是本应用保存的模型权重（它可能包含其他 Python 对象，出于安全考虑会被拒绝；也可能文件已损坏）。"
    ),
    "This file does not hold model weights (a table of named tensors).": "这个文件不包含模型权重（即一组带名称的张量）。",
    "These weights are not a polynomial's coefficients.": "这些权重不是多项式的系数。",
    "The file is too large ({size}); the limit is {limit}.": "文件太大（{size}）；上限为 {limit}。",
    "This looks like an Excel workbook or a zip file, not a CSV file. In your spreadsheet, use 'Save as' and pick 'CSV UTF-8 (comma delimited)'.": (
        "这看起来是 Excel 工作簿或 zip 压缩文件，而不是 CSV 文件。请在电子表格软件中使用“另存为”，"
        "并选择“CSV UTF-8（逗号分隔）”格式。"
    ),
    "This file is saved as UTF-16 text. Save it again as 'CSV UTF-8 (comma delimited)'.": (
        "这个文件是以 UTF-16 编码保存的文本。请重新另存为“CSV UTF-8（逗号分隔）”格式。"
    ),
    "This is a binary file, not a CSV text file. Upload a .csv file of numbers.": (
        "这是一个二进制文件，不是 CSV 文本文件。请上传一个由数字组成的 .csv 文件。"
    ),
    "This file is not UTF-8 text (unreadable byte at position {pos}). Save it as 'CSV UTF-8'.": (
        "这个文件不是 UTF-8 文本（位置 {pos} 处有无法读取的字节）。请另存为“CSV UTF-8”格式。"
    ),
    "This file contains control characters: it is not a plain CSV text file.": "这个文件含有控制字符：它不是纯文本的 CSV 文件。",
    "The file is empty: it needs a header row and one row per point.": "文件是空的：需要一行表头，之后每行一个点。",
    "The file has {rows} rows of points; the limit is {limit}.": "文件有 {rows} 行数据点；上限为 {limit} 行。",
    "The file is not valid CSV ({why}). Check for stray quote marks.": "文件不是有效的 CSV（{why}）。请检查是否有多余的引号。",
    "A quoted cell spans several lines. Each point must be on a line of its own.": (
        "有一个带引号的单元格跨越了多行。每个点必须单独占一行。"
    ),
    "The first row must be a header naming the columns ({want}), but it holds numbers: {row}.": (
        "第一行必须是写明列名（{want}）的表头，但它是数字：{row}。"
    ),
    "The file has a header but no points: add one row per point below it.": "文件只有表头，没有数据点：请在表头下方每行添加一个点。",
    "Column {col} of the header has no name. Expected: {want}.": "表头的第 {col} 列没有名称。应为：{want}。",
    "The column '{col}' appears twice in the header. Each column name must be unique.": (
        "列“{col}”在表头中出现了两次。每个列名都必须唯一。"
    ),
    "These columns ({got}) are for {other} data, but this page expects {task} data with columns {want}.": (
        "这些列（{got}）属于 {other} 数据，但本页需要列为 {want} 的 {task} 数据。"
    ),
    "Unexpected column '{col}'. The allowed columns are {allowed} (split is optional).": (
        "无法识别的列“{col}”。允许的列为 {allowed}（split 列可选）。"
    ),
    "Missing column {cols}. The header must name the columns {want}.": "缺少列 {cols}。表头必须包含列 {want}。",
    "Line {line} has the wrong number of values: {got} instead of {want}, one per column of the header.": (
        "第 {line} 行的数值个数不对：有 {got} 个，应为 {want} 个（表头每列一个）。"
    ),
    "Line {line}: the '{col}' value is empty. Every point needs all its numbers.": (
        "第 {line} 行：“{col}”的值为空。每个点的所有数值都必须填写。"
    ),
    "Line {line}: '{cell}' uses a decimal comma. Write decimals with a point, like 1.5.": (
        "第 {line} 行：“{cell}”用逗号作小数点。请用小数点“.”书写小数，例如 1.5。"
    ),
    "Line {line}: the '{col}' value '{cell}' is not a finite number (no NaN or infinity).": (
        "第 {line} 行：“{col}”的值“{cell}”不是有限数（不允许 NaN 或无穷大）。"
    ),
    "Line {line}: the '{col}' value '{cell}' is not a number.": "第 {line} 行：“{col}”的值“{cell}”不是数字。",
    "Line {line}: the '{col}' value {cell} is too large (the limit is ±{limit}).": (
        "第 {line} 行：“{col}”的值 {cell} 太大（上限为 ±{limit}）。"
    ),
    "Line {line}: the label '{cell}' must be 0 or 1 (two classes).": "第 {line} 行：标签“{cell}”必须是 0 或 1（两个类别）。",
    "Line {line}: split must be 'train' or 'val', not '{cell}'.": "第 {line} 行：split 必须是“train”或“val”，而不是“{cell}”。",
    "Too few training points: {got} marked 'train', but at least {need} are needed.": (
        "训练点太少：标为“train”的只有 {got} 个，至少需要 {need} 个。"
    ),
    "Too few points: {got} in the file, but at least {need} are needed ({train} to train on, the rest to validate).": (
        "数据点太少：文件中只有 {got} 个，至少需要 {need} 个（{train} 个用于训练，其余用于验证）。"
    ),
    "No row is marked 'val': mark some rows 'val' to measure the validation error.": (
        "没有任何行标为“val”：请把一些行标为“val”，以便测量验证误差。"
    ),
    "The points were split at random: {train} for training, {val} for validation.": (
        "数据点已随机划分：{train} 个用于训练，{val} 个用于验证。"
    ),
    "All x values are equal ({x}): a curve needs points at different x.": "所有 x 值都相同（{x}）：拟合曲线需要不同 x 处的点。",
    "x was rescaled from [{lo}, {hi}] to [-1, 1], where the models work.": "x 已从 [{lo}, {hi}] 缩放到模型工作的区间 [-1, 1]。",
    "Every training point has label {label}: a classifier needs both classes (0 and 1) to learn.": (
        "所有训练点的标签都是 {label}：分类器需要两个类别（0 和 1）的点才能学习。"
    ),
    "All {col} values are equal ({v}); they carry no information.": "所有 {col} 值都相同（{v}）；它们不含任何信息。",
    "{col} was rescaled from [{lo}, {hi}] to [-2, 2] so the network can learn.": (
        "{col} 已从 [{lo}, {hi}] 缩放到 [-2, 2]，以便网络学习。"
    ),
    # --- lessons: what you should see (playground/lessons.py Claim.see) ---------------------------
    "B's training error is ≈ 0 and its validation error is at least 1.5 times the line's.": (
        "B 的训练误差 ≈ 0，验证误差至少是直线的 1.5 倍。"
    ),
    "With 8 points: training error ≈ 0 and 'Overfitting'; with 100 points the same degree is a good fit, its validation error at least 3 times lower.": (
        "8 个点时：训练误差 ≈ 0，判定为“过拟合”；100 个点时同样的次数拟合良好，验证误差至少低 3 倍。"
    ),
    "At noise 1: 'Overfitting'. At noise 0.3: 'Good fit', and the curve at least 5 times closer to the truth.": (
        "噪声为 1 时：“过拟合”。噪声为 0.3 时：“拟合良好”，曲线与真实函数的距离至少缩小 5 倍。"
    ),
    "Degree 15: 'Overfitting', validation error at least 10 times the best degree's; the best degree lies between 3 and 9.": (
        "15 次：“过拟合”，验证误差至少是最佳次数的 10 倍；最佳次数在 3 到 9 之间。"
    ),
    "Validation loss at the best epoch is at least 20% below its last value, while training loss keeps falling after it.": (
        "最佳轮次的验证损失比最后的值至少低 20%，而训练损失在那之后仍在下降。"
    ),
    "Training stops early; the restored weights' validation error is at least 20% below what the same network ends at without early stopping.": (
        "训练提前停止；恢复的权重的验证误差，比同一个网络不用早停时最终的验证误差至少低 20%。"
    ),
    "B's validation error is at least 10% below A's.": "B 的验证误差比 A 至少低 10%。",
    "A: 'Overfitting'. B: 'Good fit', its validation error at least 10 times lower than A's.": (
        "A：“过拟合”。B：“拟合良好”，验证误差至少比 A 低 10 倍。"
    ),
    "Bias² falls at least 100-fold from degree 0 to 7, variance rises at every degree, and their sum is lowest at an interior degree with both ends at least 1.5 times higher.": (
        "从 0 次到 7 次，偏差² 至少下降 100 倍，方差每升一次都在上升，它们的和在中间某个次数最低，两端都至少高 1.5 倍。"
    ),
    "The median test error peaks at p = N, at least 3 times the lowest error below N and the error at the most features.": (
        "测试误差的中位数在 p = N 处达到峰值，至少是 N 以下最低误差的 3 倍，也至少是特征最多时误差的 3 倍。"
    ),
    "Validation accuracy: below 92% for the single layer, above 97% with hidden layers.": (
        "验证准确率：单层低于 92%，有隐藏层的网络高于 97%。"
    ),
    # --- verdict reasons (playground/verdict.py) ---------------------------------------------
    "The model cannot even fit the training points: training error is well above the noise level σ².": (
        "模型连训练点都拟合不好：训练误差远高于噪声水平 σ²。"
    ),
    "Validation error has risen well above its best epoch's while training error kept falling: the network has started to overfit.": (
        "训练误差持续下降，验证误差却已明显高于最佳轮次时的值：网络开始过拟合了。"
    ),
    "Training error is low but validation error is much higher: the model learned the noise.": (
        "训练误差很低，但验证误差高得多：模型学到了噪声。"
    ),
    "Training and validation errors are both close to the noise level σ²: the model captured the signal.": (
        "训练误差和验证误差都接近噪声水平 σ²：模型抓住了信号。"
    ),
    "Both training and validation accuracy are low: the boundary is too simple for the data.": (
        "训练准确率和验证准确率都很低：对这份数据来说，决策边界太简单了。"
    ),
    "Training accuracy is much higher than validation accuracy: the boundary bends around noise.": (
        "训练准确率远高于验证准确率：决策边界在绕着噪声弯曲。"
    ),
    "Training and validation accuracy are close and high: the boundary generalizes.": (
        "训练准确率和验证准确率都很高且彼此接近：决策边界泛化良好。"
    ),
    "Validation error is far above training error: the curve follows the noise, with wiggles as large as the signal itself.": (
        "验证误差远高于训练误差：曲线在追随噪声，它的起伏和信号本身一样大。"
    ),
    "Accuracy is still high, but validation cross-entropy has risen from its minimum and ends far above training: the model is overconfident, starting to overfit.": (
        "准确率仍然很高，但验证交叉熵已从最低点回升，最终远高于训练交叉熵：模型过于自信，开始过拟合。"
    ),
    # --- training notes (playground/train.py) ------------------------------------------------
    "Training diverged (the loss blew up): lower the learning rate. The best weights before it are kept.": (
        "训练发散了（损失爆炸）：请降低学习率。已保留发散之前的最佳权重。"
    ),
    # --- link notices, the work bound and the guard (ui/widgets.py, playground/settings.py, train.py) ---
    "Link: {label}: {raw} is out of range, clamped to {v}": "链接：{label}：{raw} 超出范围，已限制为 {v}",
    "Link: {label}: {raw} is not a whole number, rounded to {v}": "链接：{label}：{raw} 不是整数，已取整为 {v}",
    "Link: {label}: {raw} is an unknown value, using the default {v}": "链接：{label}：{raw} 是未知的值，改用默认值 {v}",
    "Link: {label}: {raw} is not on the slider, using {v}": "链接：{label}：{raw} 不在滑块的刻度上，改用 {v}",
    "on": "开",
    "off": "关",
    "(empty)": "（空）",
    "line split": "直线分割",
    "Too much training for one run: {epochs} epochs of this network on these points is {times}× the limit that keeps every link giving the same numbers. Lower Epochs to {most} or fewer, or use a smaller network, fewer points or a larger batch size.": (
        "单次训练的计算量太大：在这些数据点上把这个网络训练 {epochs} 轮，是保证每个链接都给出相同结果的上限的 {times} 倍。"
        "请把训练轮数降到 {most} 或更少，或者换用更小的网络、更少的数据点或更大的批量。"
    ),
    "Too much training for one run: even one epoch of this network on these points is over the limit that keeps every link giving the same numbers. Use a smaller network (width, hidden layers), fewer points or a larger batch size.": (
        "单次训练的计算量太大：在这些数据点上，这个网络哪怕只训练一轮也超过了保证每个链接都给出相同结果的上限。"
        "请换用更小的网络（宽度、隐藏层数）、更少的数据点或更大的批量。"
    ),
    "Too much training for one sweep: {k} networks for {epochs} epochs each is {times}× the limit that keeps every link giving the same numbers. Lower Epochs per network to {most} or fewer, or Datasets per width to {fewer} or fewer, or use fewer points.": (
        "一次扫描的计算量太大：{k} 个网络各训练 {epochs} 轮，是保证每个链接都给出相同结果的上限的 {times} 倍。"
        "请把每个网络的训练轮数降到 {most} 或更少，或把每个宽度的数据集数量降到 {fewer} 或更少，或者减少数据点。"
    ),
    "The server was too busy: training hit its safety time limit and was cut short. This result is incomplete and not reproducible (the same link gives the full result when the server is less busy), so it is not kept.": (
        "服务器太忙：训练触及安全时间上限而被中断。这个结果不完整、不可复现（服务器不那么忙时，同一链接会给出完整结果），因此不会被保存。"
    ),
    "The server was too busy: the networks hit the safety time limit and were cut short. These curves are incomplete and not reproducible, so they are not kept.": (
        "服务器太忙：这些网络触及安全时间上限而被中断。这些曲线不完整、不可复现，因此不会被保存。"
    ),
    # bias and variance against epochs (playground/bv_epochs.py), the course's data set
    "Networks trained at once, each on its own fresh training set; every curve is an average over them.": (
        "同时训练的网络个数，每个网络使用各自全新的训练集；每条曲线都是它们的平均。"
    ),
    "Hidden neurons of each network (one hidden layer, tanh).": "每个网络的隐藏神经元数（一个隐藏层，tanh）。",
    "Full-batch Adam steps of every network; the decomposition is taken along the way.": (
        "每个网络的全批量 Adam 步数；分解在训练过程中逐步计算。"
    ),
    "Adam's step size.": "Adam 的步长。",
    "Recorded epochs": "记录的轮次数",
    "Epochs (log-spaced from 1) at which every network's curve is recorded.": (
        "记录每个网络曲线的轮次（从 1 起按对数间隔）。"
    ),
    "course": "课程示例",
    "Against": "横轴",
    "Sweep the model's capacity (one fit per dataset and capacity), or follow networks through their training.": (
        "扫描模型容量（每个数据集、每个容量各拟合一次），或跟随网络的整个训练过程。"
    ),
    "against capacity": "对容量",
    "against epochs": "对训练轮次",
    "Networks": "网络",
    "During training: {r} networks (one hidden layer of {w} tanh units, all starting from the same weights), each trained on its own fresh training set. At each recorded epoch their predictions are split into bias², variance and noise; the star marks the epoch with the lowest expected test error, where early stopping would stop.": (
        "训练过程中：{r} 个网络（一个隐藏层，{w} 个 tanh 单元，初始权重全都相同），各自在自己全新的训练集上训练。"
        "在每个记录的轮次，把它们的预测分解为偏差²、方差和噪声；星号标出期望测试误差最低的轮次，也就是早停会停下的地方。"
    ),
    "At the best epoch ({e}), and at the last ({last}):": "在最佳轮次（{e}），以及最后一轮（{last}）：",
    "Bias² + variance + noise during training": "训练过程中的偏差² + 方差 + 噪声",
    "lowest test error": "最低测试误差",
    # the further lessons of playground/lessons.py (EXTRA)
    "Bias and variance during training": "训练过程中的偏差与方差",
    "Twenty networks, each trained on its own fresh set of twenty points, followed epoch by epoch. Early on they all stay close to their flat start (high bias, low variance); as training goes on bias² falls and variance rises, and the expected test error is lowest in between, where early stopping would stop.": (
        "二十个网络，各自在自己全新的二十个点上训练，逐轮跟踪。起初它们都停留在平坦的初始状态附近（偏差高、方差低）；"
        "随着训练进行，偏差²下降、方差上升，期望测试误差在两者之间最低，也就是早停会停下的地方。"
    ),
    "Bias² falls at least tenfold by the best epoch; after it, variance at least doubles and the test error rises by 20% or more.": (
        "到最佳轮次时偏差²至少下降到十分之一；此后方差至少翻倍，测试误差上升 20% 或更多。"
    ),
    "The course's example: make_classification": "课程示例：make_classification",
    "Both networks classify at least 80% of the held-out points, and the hidden layer gains at most 5 points over the single layer.": (
        "两个网络都能正确分类至少 80% 的留出点，且隐藏层比单层最多只高 5 个百分点。"
    ),
    "Misconception: any gap means overfitting": "误区：只要有差距就是过拟合",
    "A degree-5 polynomial on fifty noisy points: its training error is a little below its validation error, as it nearly always is, since the fit has seen the training points. A small gap is normal; overfitting is a validation error far above the training error and rising with more capacity.": (
        "五十个带噪声的点上的 5 次多项式：它的训练误差略低于验证误差，这几乎总是如此，因为拟合见过训练点。"
        "小的差距是正常的；过拟合是验证误差远高于训练误差，并且随容量增加而上升。"
    ),
    "Validation error is above training error, yet the verdict is 'Good fit'.": "验证误差高于训练误差，但判定仍是“拟合良好”。",
    "Misconception: longer training is always better": "误区：训练越久越好",
    "The big network on twenty points, trained for 1000 epochs. Every extra epoch lowers the training loss, but after the best epoch the validation loss climbs: more training made the model worse on new points.": (
        "二十个点上的大网络，训练 1000 轮。每多一轮训练损失都会降低，但过了最佳轮次后验证损失上升：更多的训练让模型在新点上更差。"
    ),
    "After the best epoch the training loss keeps falling while the validation loss ends at least 25% above its best.": (
        "最佳轮次之后训练损失继续下降，而验证损失最终比其最低值高出至少 25%。"
    ),
    "Misconception: tuning on the test set is harmless": "误区：在测试集上调参无害",
    "Thirty training and fifteen validation points: pick the polynomial degree with the lowest validation error, and that error is an optimistic guess, because the pick was made on those very points. Score the same fit on fresh points and it is worse; the Class challenge page keeps its test points hidden for this reason.": (
        "三十个训练点和十五个验证点：选出验证误差最低的多项式次数，这个误差是过于乐观的估计，因为选择正是在这些点上做出的。"
        "在全新的点上评估同一个拟合，结果更差；班级挑战页面正因如此把测试点隐藏起来。"
    ),
    "The degree with the lowest validation error does worse on fresh test points than its validation error promised.": (
        "验证误差最低的次数在全新的测试点上表现比其验证误差所预示的更差。"
    ),
    "Misconception: double descent disproves the bias–variance trade-off": "误区：双下降推翻了偏差–方差权衡",
    "Below the threshold the test error traces the classical U: more features first help, then hurt. Past the threshold it falls again, because the minimum-norm solution is an implicit regularizer: the trade-off still holds, with capacity measured by the norm, not by the count.": (
        "在阈值以下，测试误差呈经典的 U 形：更多特征先有帮助，后有害处。越过阈值后误差再次下降，因为最小范数解是一种隐式正则化："
        "权衡依然成立，只是容量要用范数而不是特征个数来衡量。"
    ),
    "Below N the test error is lowest at an interior count and rises by at least half toward p = N; beyond the peak it falls to below a third of it.": (
        "在 N 以下，测试误差在中间某个特征数处最低，向 p = N 至少上升一半；越过峰值后降到峰值的三分之一以下。"
    ),
    # --- Classify: layers, L1, linear, lr grid, toggles (h2) ---
    "Neurons per layer": "每层神经元数",
    "One width per hidden layer, first to last, e.g. 4,2 (TensorFlow Playground's network shape); "
    "0 or empty is no hidden layer. At most 6 layers of 1 to 128 neurons.": (
        "每个隐藏层一个宽度，从第一层到最后一层，例如 4,2（即 TensorFlow Playground 的网络形状）；"
        "0 或留空表示没有隐藏层。最多 6 层，每层 1 到 128 个神经元。"
    ),
    "L1 strength": "L1 强度",
    "Adds λ·Σ|w| over the weights (not the biases) to the loss: pulls every weight towards zero by the same step. "
    "Networks only: a polynomial's closed-form fit has no closed form with L1.": (
        "在损失中加上所有权重（不含偏置）的 λ·Σ|w|：每一步把每个权重以同样的幅度拉向零。"
        "只用于神经网络：多项式用闭式解拟合，而加上 L1 就没有闭式解了。"
    ),
    "linear (none)": "线性（无激活）",
    "Discretize output": "离散化输出",
    "Colour the plane by the predicted class instead of the probability of class 1.": (
        "按预测的类别给平面着色，而不是按类别 1 的概率。"
    ),
    "Show validation points": "显示验证点",
    "Draw the held-out validation points (open symbols) on the boundary chart.": (
        "在决策边界图上画出留作验证的点（空心符号）。"
    ),
    "predicted class": "预测类别",
    "class": "类别",
    "Neurons per layer: {raw} is not 1 to 6 whole numbers from 1 to 128 separated by commas; keeping {v}.": (
        "每层神经元数：{raw} 不是用逗号分隔的 1 到 6 个 1 到 128 之间的整数；保留 {v}。"
    ),
    "No hidden layer: logistic regression on the features.": "没有隐藏层：在特征上做逻辑回归。",
    "Hidden layers: {shape} neurons, then one output.": "隐藏层：{shape} 个神经元，然后是一个输出。",
    "{k} hidden layers of {shape} neurons": "{k} 个隐藏层，神经元数 {shape}",
}
